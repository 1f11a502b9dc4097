import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAtomicWriter } from '../../src/common/atomic-file.js';
import { addsNothing, freshRecords, mergeLabelledFiles, writeRows } from '../../src/data/merge.js';
import { tempDir } from '../helpers/cli.js';

let dir: { path: string; remove: () => void };
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

function files(base: string, incoming: string) {
  writeFileSync(join(dir.path, 'base.csv'), base);
  writeFileSync(join(dir.path, 'new.csv'), incoming);
  return [join(dir.path, 'base.csv'), join(dir.path, 'new.csv')] as const;
}

describe('mergeLabelledFiles', () => {
  it('lets the new row win on a shared id, reorders columns, and keeps the base format', async () => {
    const [base, incoming] = files('id;x;y\n1;a;0\n2;b;0\n', 'y,x,id\n1,"b, updated",2\n0,c,3\n');
    const merged = await mergeLabelledFiles(base, incoming, 'id');
    expect(merged.rows).toEqual({ base: 2, new: 2, duplicates: 1, updated: 1, merged: 3 });
    expect(addsNothing(merged)).toBe(false);
    expect(freshRecords(merged)).toEqual([['3', 'c', '0']]);
    expect(merged.records).toEqual([
      ['1', 'a', '0'],
      ['2', 'b, updated', '1'],
      ['3', 'c', '0'],
    ]);
    const writer = await openAtomicWriter(base);
    await writeRows(writer, merged);
    await writer.commit();
    expect(readFileSync(base, 'utf8')).toBe('id;x;y\n1;a;0\n2;b, updated;1\n3;c;0\n');
  });

  it('deduplicates whole rows when there is no id', async () => {
    const [base, incoming] = files('x,y\na,0\nb,1\n', 'x,y\nb,1\nb,0\n');
    const merged = await mergeLabelledFiles(base, incoming, null);
    expect(merged.rows).toEqual({ base: 2, new: 2, duplicates: 1, updated: 0, merged: 3 });
    expect(merged.records.map((record) => record.join(''))).toEqual(['a0', 'b1', 'b0']);
  });

  it('adds nothing when every row is there already, same values (spacing aside) on the same id', async () => {
    const [base, incoming] = files('id,x,y\n1,a,0\n2,b,1\n', 'id,y,x\n2,1, b\n1,0,a\n');
    const merged = await mergeLabelledFiles(base, incoming, 'id');
    expect(merged.rows).toEqual({ base: 2, new: 2, duplicates: 2, updated: 0, merged: 2 });
    expect(addsNothing(merged)).toBe(true);
    expect(freshRecords(merged)).toEqual([]);
  });

  it('counts a changed outcome on a known id as something new', async () => {
    const [base, incoming] = files('id,x,y\n1,a,0\n', 'id,x,y\n1,a,1\n');
    const merged = await mergeLabelledFiles(base, incoming, 'id');
    expect(merged.rows).toEqual({ base: 1, new: 1, duplicates: 1, updated: 1, merged: 1 });
    expect(addsNothing(merged)).toBe(false);
    expect(merged.records).toEqual([['1', 'a', '1']]);
  });
});
