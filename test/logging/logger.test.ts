import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { tempDir } from '../helpers/cli.js';

let dir: { path: string; remove: () => void };
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

const heldLogger = (logs: string) =>
  createLogger({
    level: 'info',
    dir: logs,
    command: 'test',
    runId: 'r',
    consoleLevel: 'silent',
    color: false,
    dirOnlyWhenKept: true,
  });

const lines = (logs: string) =>
  readdirSync(logs)
    .filter((name) => name.endsWith('.log'))
    .flatMap((name) => readFileSync(join(logs, name), 'utf8').trim().split('\n'))
    .map((line) => JSON.parse(line) as { message: string });

describe('a log folder that does not exist yet', () => {
  it('is not made for a run that ends without keeping its log', async () => {
    const logs = join(dir.path, 'logs');
    const log = heldLogger(logs);
    log.info('started');
    log.errorToFile('failed');
    await log.close();
    expect(existsSync(logs)).toBe(false);
  });

  it('is made when the run keeps its log, with every line held until then', async () => {
    const logs = join(dir.path, 'logs');
    const log = heldLogger(logs);
    log.info('started');
    log.keep();
    log.success('finished');
    await log.close();
    expect(lines(logs).map(({ message }) => message)).toEqual(['started', 'finished']);
  });

  it('is made anyway once a long run has logged a thousand lines', async () => {
    const logs = join(dir.path, 'logs');
    const log = heldLogger(logs);
    for (let i = 0; i < 1000; i++) log.info(`line ${i}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    log.info('after');
    await log.close();
    const messages = lines(logs).map(({ message }) => message);
    expect(messages).toHaveLength(1001);
    expect(messages.at(0)).toBe('line 0');
    expect(messages.at(-1)).toBe('after');
  });
});
