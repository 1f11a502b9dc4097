/** The docker-compose flavour of the stack, used when a Docker engine answers. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { MONITORING_DIR } from './services.js';

export const COMPOSE_FILE = join(MONITORING_DIR, 'docker-compose.yml');

/** A Docker client alone is not enough: `docker info` must reach an engine. */
export function dockerComposeAvailable(): boolean {
  const ok = (args: string[]) =>
    spawnSync('docker', args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
  return ok(['info']) && ok(['compose', 'version']);
}

/** Runs `docker compose -f monitoring/docker-compose.yml …` in the terminal; its exit code. */
export function compose(args: string[]): number {
  return (
    spawnSync('docker', ['compose', '-f', COMPOSE_FILE, ...args], { stdio: 'inherit' }).status ?? 1
  );
}
