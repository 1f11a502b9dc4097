import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  backUpFile,
  openAtomicWriter,
  temporaryPath,
  writeDirectoryAtomic,
  writeFileAtomic,
} from '../../src/common/atomic-file.js';
import { HOST_TAG } from '../../src/common/temporary-names.js';
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
    const target = join(dir.path, 'out.csv');
    const deadLeftover = temporaryPath(target, undefined, deadPid);
    const deadOtherTarget = temporaryPath(join(dir.path, 'other.csv'), 'backup', deadPid);
    const liveLeftover = temporaryPath(target, undefined, process.ppid);
    writeFileSync(deadLeftover, 'partial');
    writeFileSync(deadOtherTarget, 'partial');
    writeFileSync(liveLeftover, 'in progress');
    await writeFileAtomic(target, 'done');
    expect(existsSync(deadLeftover)).toBe(false);
    expect(existsSync(deadOtherTarget)).toBe(false);
    expect(existsSync(liveLeftover)).toBe(true);
  });

  it("keeps files that only look like leftovers: a user's, or those of another host", async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(dead.stdout.toString());
    const ours = temporaryPath(join(dir.path, 'out.csv'), undefined, deadPid);
    const lookalikes = [
      `.notes.txt.${deadPid}-abcd1234.tmp`, // churn's names before, and anyone's
      basename(ours).replace(/-[0-9a-f]{8}\.tmp$/, '-00000000.tmp'), // check digits wrong
      basename(ours).replace(`${deadPid}-${HOST_TAG}`, `${deadPid}-0badc0de`), // another host
    ];
    for (const name of lookalikes) writeFileSync(join(dir.path, name), 'keep me');
    await writeFileAtomic(join(dir.path, 'out.csv'), 'done');
    expect(readdirSync(dir.path).sort()).toEqual([...lookalikes, 'out.csv'].sort());
  });

  it('backs up under a name no other file has: three backups in one millisecond keep all three', async () => {
    const base = join(dir.path, 'train.csv');
    const now = new Date(Date.UTC(2026, 10, 27, 0, 7, 31, 123));
    const backups: string[] = [];
    for (const content of ['v1', 'v2', 'v3']) {
      writeFileSync(base, content);
      backups.push(await backUpFile(base, now));
    }
    expect(new Set(backups).size).toBe(3);
    expect(backups.map((backup) => readFileSync(backup, 'utf8'))).toEqual(['v1', 'v2', 'v3']);
    expect(basename(backups[0])).toMatch(/^train\.backup-20261127T000731\.123Z-[0-9a-f]{6}\.csv$/);
    expect(readdirSync(dir.path).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses to replace a special file, whoever writes', async () => {
    const fifo = join(dir.path, 'fifo');
    spawnSync('mkfifo', [fifo]);
    await expect(writeFileAtomic(fifo, 'x')).rejects.toThrow(/is a special file/);
    await expect(writeFileAtomic(dir.path, 'x')).rejects.toThrow(/is a folder/);
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
