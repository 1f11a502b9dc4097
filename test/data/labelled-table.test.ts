import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLabelledTable, type LabelledReadOptions } from '../../src/data/labelled-table.js';
import { tempDir } from '../helpers/cli.js';

let dir: { path: string; remove: () => void };
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

function read(content: string, options: Partial<LabelledReadOptions> = {}) {
  const path = join(dir.path, 'train.csv');
  writeFileSync(path, content);
  return readLabelledTable(path, { target: 'churn', id: null, positiveLabel: null, ...options });
}

describe('readLabelledTable', () => {
  it('infers numeric and categorical columns and reads missing-value tokens', async () => {
    const table = await read(
      'age,plan,score,churn\n30,gold,1.5,1\nNA,silver,,0\n41, gold ,?,0\n52,null,2,1\n',
    );
    const [age, plan, score] = table.features;
    expect(age.kind).toBe('numeric');
    expect(age.kind === 'numeric' && Array.from(age.values)).toEqual([30, NaN, 41, 52]);
    expect(plan.kind).toBe('categorical');
    // Codes follow sorted names; spaces around a category are not part of it.
    expect(table.schema.features[1]).toMatchObject({ categories: ['gold', 'silver'] });
    expect(plan.kind === 'categorical' && Array.from(plan.codes)).toEqual([0, 1, 0, -1]);
    expect(score.kind === 'numeric' && Array.from(score.values)).toEqual([1.5, NaN, NaN, 2]);
    expect(Array.from(table.labels)).toEqual([1, 0, 0, 1]);
    expect(table.schema.features[0].reference.missing).toBe(0.25);
  });

  it('honours --categorical and --numeric, and names the line and column of text in a numeric one', async () => {
    const table = await read('zip,n,churn\n1000,1,1\n2000,2,0\n', { categorical: ['zip'] });
    expect(table.features[0].kind).toBe('categorical');
    await expect(read('zip,n,churn\n1000,1,1\n2000,x,0\n', { numeric: ['n'] })).rejects.toThrow(
      /train\.csv, line 3, column "n": "x" is not a number/,
    );
  });

  it.each([
    ['Yes', 'No', null],
    ['sim', 'NÃO', null],
    ['TRUE', 'false', null],
    ['S', 'n', null],
    ['Closed', 'Open', 'closed'],
  ])('reads a %s/%s target', async (positive, negative, positiveLabel) => {
    const table = await read(`x,churn\n1,${positive}\n2,${negative}\n3,${negative}\n`, {
      positiveLabel,
    });
    expect(Array.from(table.labels)).toEqual([1, 0, 0]);
    expect(table.schema.labels).toEqual({ positive, negative });
  });

  it('drops rows with a missing target and counts them', async () => {
    const table = await read('x,churn\n1,1\n2,\n3,0\n4,NA\n');
    expect(table.rowsRead).toBe(4);
    expect(table.missingTarget).toBe(2);
    expect(table.features[0].kind === 'numeric' && Array.from(table.features[0].values)).toEqual([
      1, 3,
    ]);
  });

  it('refuses a target that is not binary, listing the values found, with the line', async () => {
    await expect(read('x,churn\n1,a\n2,b\n3,c\n')).rejects.toThrow(
      /line 4, column "churn": is not a binary target: values found include "a", "b", "c"/,
    );
    await expect(read('x,churn\n1,won\n2,lost\n')).rejects.toThrow(/--positive-label/);
    await expect(read('x,churn\n1,1\n2,1\n')).rejects.toThrow(/only the value "1"/);
  });

  it('keeps its error on one line when a quoted value it quotes spans lines', async () => {
    // Found by the fuzz test: a line break inside a quoted target value reached the message.
    const error = await read('x,churn\n1,",\n#"\n2,0\n').catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toMatch(/[\r\n]/);
    expect((error as Error).message).toContain('values ",\\n#", "0" are not a known yes/no pair');
  });

  it('names a missing target column with a suggestion', async () => {
    await expect(read('x,Churn\n1,1\n', { target: 'churm' })).rejects.toThrow(
      /has no column "churm" \(--target\) \(did you mean "Churn"\?\)/,
    );
  });

  it('reads decimal commas in a semicolon-separated file, and keeps the id out of the features', async () => {
    const table = await read('id;balance;churn\n7;1234,5;1\n8;10;0\n', { id: 'id' });
    expect(table.schema.features.map((f) => f.name)).toEqual(['balance']);
    expect(table.features[0].kind === 'numeric' && Array.from(table.features[0].values)).toEqual([
      1234.5, 10,
    ]);
  });
});
