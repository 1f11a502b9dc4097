import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  openAtomicWriter,
  writeDirectoryAtomic,
  writeFileAtomic,
} from '../../src/common/atomic-file.js';
import { InputError } from '../../src/common/errors.js';
import { tempDir } from '../helpers/cli.js';
import { platform, requires } from '../helpers/prerequisites.js';

let dir: { path: string; remove: () => void };
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

describe('atomic files', () => {
  it('replaces the target only on commit, leaving no temporary file', async () => {
    const target = join(dir.path, 'out.csv');
    writeFileSync(target, 'old\n');
    const writer = await openAtomicWriter(target);
    await writer.write('new\n');
    expect(readFileSync(target, 'utf8')).toBe('old\n');
    expect(await writer.commit()).toBe(4);
    expect(readFileSync(target, 'utf8')).toBe('new\n');
    expect(readdirSync(dir.path)).toEqual(['out.csv']);
  });

  it('leaves the target as it was when aborted', async () => {
    const target = join(dir.path, 'out.csv');
    writeFileSync(target, 'old\n');
    const writer = await openAtomicWriter(target);
    await writer.write('half a fi');
    await writer.abort();
    expect(readFileSync(target, 'utf8')).toBe('old\n');
    expect(readdirSync(dir.path)).toEqual(['out.csv']);
  });

  it('creates missing folders', async () => {
    const target = join(dir.path, 'a', 'b', 'c.json');
    await writeFileAtomic(target, '{}');
    expect(readFileSync(target, 'utf8')).toBe('{}');
  });

  requires(
    [platform('/proc', existsSync('/proc/self'), 'Linux only')],
    'that writing under /proc fails rather than hangs',
  ).it('fails, never hangs, where no folder can be made', async () => {
    // Node's recursive mkdir loops forever under /proc.
    await expect(writeFileAtomic('/proc/no-such-folder/out.csv', 'x')).rejects.toThrow('ENOENT');
  });

  it('refuses a target it cannot write with an input error naming it, leaving nothing behind', async () => {
    writeFileSync(join(dir.path, 'file'), 'not a folder');
    const target = join(dir.path, 'file', 'out.csv');
    const error = await openAtomicWriter(target).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(/out\.csv: cannot be written \(E(NOTDIR|EXIST)\b/);
    expect(readdirSync(dir.path)).toEqual(['file']);
  });

  it("removes a dead process's leftovers and keeps a live one's", async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(dead.stdout.toString());
    const deadLeftover = join(dir.path, `.out.csv.${deadPid}-abcd1234.tmp`);
    const liveLeftover = join(dir.path, `.out.csv.${process.ppid}-abcd1234.tmp`);
    writeFileSync(deadLeftover, 'partial');
    writeFileSync(liveLeftover, 'in progress');
    await writeFileAtomic(join(dir.path, 'out.csv'), 'done');
    expect(existsSync(deadLeftover)).toBe(false);
    expect(existsSync(liveLeftover)).toBe(true);
  });

  it('creates a folder whole or not at all, and never replaces one', async () => {
    const target = join(dir.path, 'v1');
    await expect(
      writeDirectoryAtomic(target, { 'a.txt': 'a', 'missing/b.txt': 'b' }),
    ).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir.path)).toEqual([]);
    await writeDirectoryAtomic(target, { 'a.txt': 'a', 'b.txt': 'b' });
    expect(readdirSync(target).sort()).toEqual(['a.txt', 'b.txt']);
    await expect(writeDirectoryAtomic(target, { 'c.txt': 'c' })).rejects.toThrow(/exists/);
    expect(readdirSync(target).sort()).toEqual(['a.txt', 'b.txt']);
  });
});
