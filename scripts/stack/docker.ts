/** The docker-compose flavour of the stack, used when a Docker engine answers. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { MONITORING_DIR } from './services.js';
import { seconds, StackError } from './wait.js';

export const COMPOSE_FILE = join(MONITORING_DIR, 'docker-compose.yml');

/** A Docker client alone is not enough: `docker info` must reach an engine. */
export function dockerComposeAvailable(): boolean {
  const ok = (args: string[]) =>
    spawnSync('docker', args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
  return ok(['info']) && ok(['compose', 'version']);
}

/**
 * Runs `docker compose -f monitoring/docker-compose.yml …` in the terminal; its exit code. The
 * first `up` pulls the images, so it gets minutes, but not forever.
 */
export function compose(args: string[], timeoutMs = 15 * 60_000): number {
  const command = ['compose', '-f', COMPOSE_FILE, ...args];
  const result = spawnSync('docker', command, { stdio: 'inherit', timeout: timeoutMs });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
    throw new StackError(
      `docker ${command.join(' ')} did not finish within ${seconds(timeoutMs)}. Next: run it ` +
        'yourself to watch it (pulling the images is the slow part), or use the local binaries ' +
        'with npm run monitoring:up -- --local.',
    );
  }
  return result.status ?? 1;
}
