import { elapsedSeconds } from '../common/elapsed.js';
import type { Output } from './output.js';

export interface Progress {
  update(done: number): void;
  finish(): void;
}

const SILENT: Progress = { update() {}, finish() {} };
const FRAME_MS = 100;

/** A one-line bar on stderr, redrawn at most ten times a second; silent off a TTY. */
export function progressBar(output: Output, label: string, total: number, unit: string): Progress {
  if (!output.showsProgress || total <= 0) return SILENT;
  const stream = output.streams.stderr;
  const started = performance.now();
  let lastDraw = 0;
  const draw = (done: number) => {
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 45));
    const share = Math.min(1, done / total);
    const filled = Math.round(share * width);
    const bar = output.c.green('█'.repeat(filled)) + output.c.dim('░'.repeat(width - filled));
    const seconds = elapsedSeconds(started).toFixed(1);
    const count = `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${unit}`;
    stream.write(`\r${label} ${bar} ${(share * 100).toFixed(0).padStart(3)}% ${count} ${seconds}s`);
  };
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    stream.write('\r\x1b[2K');
  };
  return {
    update(done) {
      // The bar leaves the line once complete, so whatever is printed next starts clean.
      if (done >= total) return finish();
      const now = Date.now();
      if (now - lastDraw < FRAME_MS) return;
      lastDraw = now;
      draw(done);
    },
    finish,
  };
}

export interface OpenEndedProgress {
  update(done: number, total: number): void;
  finish(): void;
}

/** A bar whose total the job learns as it goes (a file's size, the champion's tree count). */
export function progressBarOfUnknownTotal(
  output: Output,
  label: string,
  unit: string,
): OpenEndedProgress {
  let bar: Progress | null = null;
  return {
    update(done, total) {
      bar ??= progressBar(output, label, total, unit);
      bar.update(done);
    },
    finish: () => bar?.finish(),
  };
}
