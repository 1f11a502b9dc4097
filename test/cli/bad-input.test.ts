/**
 * Bad input, as cron jobs meet it: each case ends in one `error:` line naming the file (and the
 * line or column where one is to blame), exit code 2, no stack trace, and no model or output
 * written; or, for the cases the tool repairs, a warning and a model as good as from clean data.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySampleProject, runChurn, tempDir } from '../helpers/cli.js';
import { Random } from '../../src/common/random.js';

const scratch = tempDir();
const dir = scratch.path;
const sample = () => readFileSync(join(dir, 'data', 'train.csv'), 'utf8');
const lines = () => sample().trimEnd().split('\n');
const HEADER = () => lines()[0];

/** Rewrites one column of the sample file's data rows. */
function withColumn(name: string, change: (value: string, row: number) => string): string {
  const [header, ...rows] = lines();
  const index = header.split(',').indexOf(name);
  return (
    [
      header,
      ...rows.map((line, row) => {
        const fields = line.split(',');
        fields[index] = change(fields[index], row);
        return fields.join(',');
      }),
    ].join('\n') + '\n'
  );
}

const FAILURES: Array<{ name: string; file: () => string | Buffer | null; error: RegExp }> = [
  { name: 'an empty file', file: () => '', error: /^error: empty\.csv: is empty/ },
  { name: 'a header only', file: () => HEADER() + '\n', error: /has a header but no data rows/ },
  {
    name: 'no target column',
    file: () => sample().replace('saiu', 'left'),
    error: /, line 1: has no column "saiu" \(--target\)/,
  },
  {
    name: 'a single class',
    file: () => withColumn('saiu', () => '0'),
    error: /, column "saiu": has only the value "0"/,
  },
  {
    name: 'a row with too many fields',
    file: () => lines().slice(0, 40).join('\n') + '\n1,2,3,4,5,6,7,8,9,10,11,12\n',
    error: /, line 41: has 12 fields where the header has 11/,
  },
  {
    name: 'a row with too few fields',
    file: () => lines().slice(0, 40).join('\n') + '\n1,2,3\n',
    error: /, line 41: has 3 fields where the header has 11/,
  },
  {
    name: 'random binary bytes',
    file: () => {
      const random = new Random(3);
      return Buffer.from(Array.from({ length: 4096 }, () => random.int(256)));
    },
    error: /is not a text CSV file \(a NUL byte at offset \d+\)/,
  },
  {
    name: 'an unclosed quote',
    file: () => lines().slice(0, 30).join('\n') + '\n99,"França,Masculino,30,1,0,1,Sim,100,0,600\n',
    error: /, line 31: the file ends inside a quoted field/,
  },
  {
    name: 'a target that is not binary',
    file: () => withColumn('saiu', (value, row) => (row === 7 ? 'talvez' : value)),
    error: /, line 9, column "saiu": is not a binary target: values found include .*"talvez"/,
  },
  {
    name: 'duplicate column names',
    file: () => sample().replace('genero', 'pais'),
    error: /, line 1: the header names "pais" more than once/,
  },
  {
    name: 'three rows',
    file: () => lines().slice(0, 4).join('\n') + '\n',
    error: /, column "saiu": a train\/holdout split needs at least 2 rows of each class/,
  },
  { name: 'a directory in place of a file', file: () => null, error: /: is not a file/ },
  {
    name: 'a 20 MB field',
    file: () => `${HEADER()}\n1,França,Masculino,30,1,${'9'.repeat(20_000_000)},1,Sim,100,0,600\n`,
    error: /, line 2: has a field or line longer than 1,000,000 characters \(data\.maxFieldSize/,
  },
  {
    name: 'UTF-16 big-endian',
    file: () =>
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(sample(), 'utf16le').swap16()]),
    error: /is UTF-16 big-endian text: save it as UTF-8/,
  },
];

describe('train on bad input', () => {
  beforeAll(() => copySampleProject(dir));
  afterAll(() => scratch.remove());

  for (const { name, file, error } of FAILURES) {
    it(`refuses ${name}: one error line, exit 2, nothing written`, async () => {
      // A project of its own (its configuration file marks it), inside the sample one.
      const project = join(dir, name.replaceAll(' ', '-'));
      mkdirSync(project);
      writeFileSync(join(project, 'churn.config.json'), '{}\n');
      const content = file();
      const path = join(
        project,
        content === null ? 'folder.csv' : name.startsWith('an empty') ? 'empty.csv' : 'bad.csv',
      );
      if (content === null) mkdirSync(path);
      else writeFileSync(path, content);
      const result = await runChurn(
        ['train', '--data', path, '--target', 'saiu', '--id', 'id_cliente', '--trees', '10'],
        {
          cwd: project,
        },
      );
      expect(result.code, result.stderr).toBe(2);
      const errors = result.stderr.split('\n').filter((line) => line.startsWith('error:'));
      expect(errors, result.stderr).toHaveLength(1);
      expect(errors[0]).toMatch(error);
      expect(errors[0]).toContain(path.split('/').pop()!);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(project, 'outputs', 'models'))).toBe(false);
      // The only trace: the failure time, for the BatchJobFailed alert.
      expect(readdirSync(join(project, 'outputs'))).toEqual(['metrics']);
    });
  }

  it('drops rows with a blank target, with a warning and a count', async () => {
    writeFileSync(
      join(dir, 'blank-target.csv'),
      withColumn('saiu', (value, row) => (row % 10 === 0 ? '' : value)),
    );
    const result = await runChurn(
      ['train', '--data', 'blank-target.csv', '--trees', '10', '--json'],
      { cwd: dir },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/dropped 600 row\(s\) of blank-target\.csv with no saiu value/);
    expect(JSON.parse(result.stdout).samples).toBe(Math.round(5400 * 0.85));
  });

  it('reads stray text in a numeric column as missing, naming the column, count and first line', async () => {
    writeFileSync(
      join(dir, 'junk.csv'),
      withColumn('idade', (value, row) => (row % 50 === 7 ? 'abc' : value)),
    );
    const result = await runChurn(['train', '--data', 'junk.csv', '--trees', '10'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'junk.csv, column "idade": read 120 value(s) that are not numbers as missing (the first, "abc", on line 9)',
    );
    expect(result.stderr).toMatch(/idade:numeric/);
  });

  it('decodes UTF-16 and detects semicolons with decimal commas, training the very same model', async () => {
    const reference = JSON.parse(
      (await runChurn(['train', '--trees', '10', '--json'], { cwd: dir })).stdout,
    );
    writeFileSync(
      join(dir, 'utf16.csv'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(sample(), 'utf16le')]),
    );
    writeFileSync(
      join(dir, 'semicolons.csv'),
      sample()
        .replaceAll(',', ';')
        .replace(/(\d)\.(\d)/g, '$1,$2'),
    );
    for (const file of ['utf16.csv', 'semicolons.csv']) {
      const result = await runChurn(['train', '--data', file, '--trees', '10', '--json'], {
        cwd: dir,
      });
      expect(result.code, `${file}: ${result.stderr}`).toBe(0);
      expect(JSON.parse(result.stdout).metrics, file).toEqual(reference.metrics);
    }
  });
});

describe('predict on bad input', () => {
  const project = join(scratch.path, 'predict');
  beforeAll(async () => {
    mkdirSync(project, { recursive: true });
    copySampleProject(project);
    expect((await runChurn(['train', '--trees', '10', '--quiet'], { cwd: project })).code).toBe(0);
  });
  const batch = () => readFileSync(join(project, 'data', 'new_batch_1.csv'), 'utf8');

  it('names every missing feature column at once, and refuses an empty file, writing nothing', async () => {
    const dropped = batch()
      .split('\n')
      .map((line) =>
        line
          .split(',')
          .filter((_, index) => index !== 3 && index !== 5)
          .join(','),
      )
      .join('\n');
    writeFileSync(join(project, 'missing.csv'), dropped);
    writeFileSync(join(project, 'empty.csv'), '');
    const cases: Array<[string, RegExp]> = [
      [
        'missing.csv',
        /^error: missing\.csv, line 1: lacks the model's feature columns "idade", "saldo_conta"; columns: /,
      ],
      ['empty.csv', /^error: empty\.csv: is empty/],
    ];
    for (const [file, message] of cases) {
      const result = await runChurn(['predict', '--data', file, '--out', 'scored.csv'], {
        cwd: project,
      });
      expect(result.code, file).toBe(2);
      expect(result.stderr.split('\n').filter((line) => line.startsWith('error:'))[0]).toMatch(
        message,
      );
      expect(existsSync(join(project, 'scored.csv'))).toBe(false);
    }
  });

  it('refuses an --out it cannot write, naming it, with exit 2', async () => {
    writeFileSync(join(project, 'plain-file'), 'not a folder');
    const result = await runChurn(
      ['predict', '--data', 'data/new_batch_1.csv', '--out', 'plain-file/scored.csv'],
      { cwd: project },
    );
    expect(result.code, result.stderr).toBe(2);
    const errors = result.stderr.split('\n').filter((line) => line.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^error: plain-file\/scored\.csv: cannot be written \(E[A-Z]+: /);
  });

  it('scores unseen categories and stray text as missing, with a warning naming them', async () => {
    const odd = batch()
      .replace(/França/, 'Portugal')
      .replace(/\n(\d+),([^,]+),([^,]+),\d+,/, '\n$1,$2,$3,unknown,');
    writeFileSync(join(project, 'odd.csv'), odd);
    const result = await runChurn(
      ['predict', '--data', 'odd.csv', '--out', 'scored.csv', '--json'],
      { cwd: project },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /1 row\(s\) of odd\.csv have pais values the model never saw \("Portugal"\): scored as missing/,
    );
    expect(result.stderr).toMatch(
      /1 row\(s\) of odd\.csv have idade values that are not numbers \("unknown"\): scored as missing/,
    );
    expect(JSON.parse(result.stdout).rows).toBe(2000);
  });
});
