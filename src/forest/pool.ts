/**
 * Work shared between the calling thread and worker threads. Tasks are numbered; every thread
 * takes the next number from one queue until none is left, so the work balances itself. Workers
 * are kept between calls in one process (their compiled code stays warm) and never keep the
 * process alive while idle.
 */
import type { Worker } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from './forest-worker.js';
import { startWorker } from './worker-script.js';

export interface SharedWork {
  /** Tasks are numbered 0 .. count − 1. */
  count: number;
  /** The message each worker gets before its first task; made once, and only if workers help. */
  setup?: () => WorkerRequest;
  /** Does a task on the calling thread. */
  runHere(task: number): void;
  /** The message that asks a worker for a task. */
  request(task: number): WorkerRequest;
  /** A worker finished a task. */
  done(reply: WorkerReply & { task: number }): void;
  /** Sent once to each worker after its last task; its answer goes to `finished`. */
  finish?: WorkerRequest;
  finished?(reply: WorkerReply): void;
}

/** Runs every task on the calling thread and threads − 1 workers; resolves when all are done. */
export async function shareWork(work: SharedWork, threads: number): Promise<void> {
  const helpers = Math.max(0, Math.min(threads, work.count) - 1);
  const queue = { next: 0 };
  const take = () => (queue.next < work.count ? queue.next++ : -1);
  const team = helpers > 0 ? startTeam(work, helpers, take) : null;
  let completed = false;
  try {
    for (let task = take(); task >= 0 && !team?.failed; task = take()) {
      work.runHere(task);
      // Let the workers' answers in, and send them their next tasks.
      if (team) await new Promise((resolve) => setImmediate(resolve));
    }
    await team?.finished;
    completed = true;
  } finally {
    // Workers of a job that failed may still hold its tasks: they are ended, never reused, so no
    // late answer can reach another job.
    await team?.release(completed);
  }
}

/** In shared memory, an array reaches every worker without a copy. */
export function shareArray<T extends Uint8Array | Int32Array | Uint32Array | Float64Array>(
  array: T,
): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const shared = new (array.constructor as { new (buffer: SharedArrayBuffer): T })(
    new SharedArrayBuffer(array.byteLength),
  );
  shared.set(array as never);
  return shared;
}

const idleWorkers: Worker[] = [];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- node:events listeners take any arguments
type Listener = (...args: any[]) => void;

interface Team {
  /** Resolves once every worker has answered its last message. */
  finished: Promise<void>;
  failed: boolean;
  /** Returns the workers of a completed job to the idle pool; ends those of a failed one. */
  release(completed: boolean): Promise<void>;
}

/** Workers for a job: idle ones first, new ones for the rest. They keep the process alive. */
export function borrowWorkers(count: number): Worker[] {
  const workers = idleWorkers.splice(0, count);
  while (workers.length < count) workers.push(startWorker('forest-worker'));
  for (const worker of workers) worker.ref();
  return workers;
}

/** Back to the idle pool after a job that completed; ended after one that failed. */
export async function returnWorkers(workers: Worker[], completed: boolean): Promise<void> {
  if (!completed) {
    await Promise.all(workers.map((worker) => worker.terminate()));
    return;
  }
  for (const worker of workers) {
    worker.unref();
    idleWorkers.push(worker);
  }
}

/**
 * Listens to a borrowed worker: its answers, and its failure (an error, or stopping while in
 * use). Returns what stops listening, before the worker goes back to the pool.
 */
export function listenTo(
  worker: Worker,
  onReply: (reply: WorkerReply) => void,
  onFailure: (error: Error) => void,
): () => void {
  const own: Array<[string, Listener]> = [
    ['message', onReply],
    ['error', onFailure],
    ['exit', (code: number) => onFailure(new Error(`a forest worker stopped with code ${code}`))],
  ];
  for (const [event, listener] of own) worker.on(event, listener);
  return () => {
    for (const [event, listener] of own) worker.off(event, listener);
  };
}

function startTeam(work: SharedWork, count: number, take: () => number): Team {
  const workers = borrowWorkers(count);
  const stopListening: Array<() => void> = [];
  const setup = work.setup?.();
  const team: Team = {
    finished: Promise.resolve(),
    failed: false,
    async release(completed) {
      for (const stop of stopListening) stop();
      await returnWorkers(workers, completed && !team.failed);
    },
  };
  team.finished = new Promise<void>((resolve, reject) => {
    let finished = 0;
    const fail = (error: Error) => {
      team.failed = true;
      reject(error);
    };
    for (const worker of workers) {
      let told = false;
      let inFlight = 0;
      const dispatch = () => {
        const task = take();
        if (task >= 0) {
          inFlight++;
          worker.postMessage(work.request(task));
        } else if (!told) {
          // Messages are handled in order: the worker answers after any task still in flight.
          told = true;
          if (work.finish) worker.postMessage(work.finish);
        }
      };
      const onMessage = (reply: WorkerReply) => {
        if ('task' in reply) {
          inFlight--;
          work.done(reply);
          dispatch();
        } else {
          work.finished?.(reply);
        }
        const over = told && inFlight === 0 && (!work.finish || !('task' in reply));
        if (over && ++finished === workers.length) resolve();
      };
      stopListening.push(listenTo(worker, onMessage, fail));
      if (setup) worker.postMessage(setup);
      // Two tasks in flight per worker, so none waits on the calling thread between tasks.
      dispatch();
      dispatch();
      if (told && inFlight === 0 && !work.finish && ++finished === workers.length) resolve();
    }
  });
  // A failure is thrown where `finished` is awaited; until then it must not count as unhandled.
  team.finished.catch(() => undefined);
  return team;
}
