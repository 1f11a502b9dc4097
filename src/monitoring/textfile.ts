/**
 * Every run's metrics as `<job>.prom` in the node_exporter textfile format, written atomically,
 * whether or not a Pushgateway is configured. A failed run keeps the last good run's lines and
 * sets its failure time, as the Pushgateway does.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomic-file.js';

export function textfilePath(dir: string, job: string): string {
  return join(dir, `${job}.prom`);
}

export async function writeTextfile(dir: string, job: string, exposition: string): Promise<string> {
  const path = textfilePath(dir, job);
  await writeFileAtomic(path, exposition.endsWith('\n') ? exposition : `${exposition}\n`);
  return path;
}

/**
 * Replaces (or adds) the families of an exposition in the job's textfile, leaving the other
 * families as they are, as a POST to the Pushgateway does.
 */
export async function replaceFamilies(
  dir: string,
  job: string,
  exposition: string,
): Promise<string> {
  const replaced = new Set(exposition.split('\n').filter(Boolean).map(familyOf));
  const previous = await readFile(textfilePath(dir, job), 'utf8').catch(() => '');
  const kept = previous
    .split('\n')
    .filter((line) => line !== '' && !replaced.has(familyOf(line)))
    .join('\n');
  return writeTextfile(dir, job, kept ? `${kept}\n${exposition}` : exposition);
}

function familyOf(line: string): string {
  return line.startsWith('# ') ? line.split(' ')[2] : line.split(/[{ ]/)[0];
}
