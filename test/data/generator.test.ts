import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCustomers } from '../../src/jobs/generate.js';
import { REPO_ROOT, runChurn, tempDir } from '../helpers/cli.js';
import { requires } from '../helpers/prerequisites.js';
import { COURSE_DATA, SHARED_DATA_DIR } from '../helpers/shared-data.js';
import { readSimpleCsv } from '../../support/simple-csv.js';
import { silentLogger as silent } from '../../support/silent-logger.js';

const HEADER =
  'id_cliente,pais,genero,idade,anos_cliente,saldo_conta,numero_produtos,cartao_credito,salario_estimado,saiu,escore_credito';

let dir: { path: string; remove: () => void };
let rows: Array<Record<string, string>>;
let drifted: Array<Record<string, string>>;

beforeAll(async () => {
  dir = tempDir();
  await generateCustomers(
    { rows: 20_000, seed: 11, drift: 0, out: join(dir.path, 'a.csv') },
    silent,
  );
  await generateCustomers(
    { rows: 20_000, seed: 11, drift: 0.5, out: join(dir.path, 'd.csv') },
    silent,
  );
  rows = readSimpleCsv(join(dir.path, 'a.csv'));
  drifted = readSimpleCsv(join(dir.path, 'd.csv'));
});
afterAll(() => dir.remove());

const share = (data: typeof rows, test: (row: Record<string, string>) => boolean) =>
  data.filter(test).length / data.length;
const churnRate = (data: typeof rows) => share(data, (row) => row.saiu === '1');
const mean = (data: typeof rows, column: string) =>
  data.reduce((sum, row) => sum + Number(row[column]), 0) / data.length;

describe('the generated schema', () => {
  it('has the course header, vocabulary and value ranges', () => {
    const header = readFileSync(join(dir.path, 'a.csv'), 'utf8').split('\n')[0];
    expect(header).toBe(HEADER);
    expect(rows).toHaveLength(20_000);
    expect(new Set(rows.map((row) => row.pais))).toEqual(
      new Set(['França', 'Alemanha', 'Espanha']),
    );
    expect(new Set(rows.map((row) => row.genero))).toEqual(new Set(['Masculino', 'Feminino']));
    expect(new Set(rows.map((row) => row.cartao_credito))).toEqual(new Set(['Sim', 'Não']));
    expect(new Set(rows.map((row) => row.saiu))).toEqual(new Set(['0', '1']));
    expect(new Set(rows.map((row) => row.numero_produtos))).toEqual(new Set(['1', '2', '3', '4']));
    for (const row of rows) {
      expect(Number(row.idade)).toBeGreaterThanOrEqual(18);
      expect(Number(row.idade)).toBeLessThanOrEqual(92);
      expect(Number(row.escore_credito)).toBeGreaterThanOrEqual(350);
      expect(Number(row.escore_credito)).toBeLessThanOrEqual(850);
      expect(Number(row.anos_cliente)).toBeLessThanOrEqual(10);
      expect(row.saldo_conta).toMatch(/^\d+(\.\d{1,2})?$/);
    }
  });

  it('gives every customer a unique id', () => {
    expect(new Set(rows.map((row) => row.id_cliente)).size).toBe(rows.length);
  });

  it('has marginals close to the course data', () => {
    expect(churnRate(rows)).toBeCloseTo(0.205, 1);
    expect(share(rows, (row) => row.pais === 'França')).toBeCloseTo(0.5, 1);
    expect(share(rows, (row) => row.saldo_conta === '0')).toBeCloseTo(0.36, 1);
    expect(share(rows, (row) => row.pais === 'Alemanha' && row.saldo_conta === '0')).toBe(0);
    expect(share(rows, (row) => row.cartao_credito === 'Sim')).toBeCloseTo(0.7, 1);
    expect(mean(rows, 'idade')).toBeGreaterThan(37);
    expect(mean(rows, 'idade')).toBeLessThan(41);
    expect(mean(rows, 'escore_credito')).toBeGreaterThan(640);
    expect(mean(rows, 'escore_credito')).toBeLessThan(660);
  });

  requires(COURSE_DATA, "the generator's marginals against the course's real training data").it(
    'matches the real course data within a few points',
    () => {
      const real = readSimpleCsv(join(SHARED_DATA_DIR, 'dados_treino.csv'));
      expect(Math.abs(churnRate(rows) - churnRate(real))).toBeLessThan(0.03);
      for (const [column, value] of [
        ['pais', 'Alemanha'],
        ['genero', 'Feminino'],
        ['numero_produtos', '2'],
        ['saldo_conta', '0'],
      ]) {
        const ours = share(rows, (row) => row[column] === value);
        const theirs = share(real, (row) => row[column] === value);
        expect(Math.abs(ours - theirs), `${column}=${value}`).toBeLessThan(0.03);
      }
      for (const column of ['idade', 'escore_credito', 'salario_estimado', 'anos_cliente']) {
        const relative = Math.abs(mean(rows, column) / mean(real, column) - 1);
        expect(relative, column).toBeLessThan(0.05);
      }
    },
  );
});

describe('the churn signal', () => {
  it('follows the documented ground truth', () => {
    const byProducts = (n: string) => churnRate(rows.filter((row) => row.numero_produtos === n));
    expect(byProducts('2')).toBeLessThan(byProducts('1'));
    expect(byProducts('3')).toBeGreaterThan(0.6);
    const byCountry = (c: string) => churnRate(rows.filter((row) => row.pais === c));
    expect(byCountry('Alemanha')).toBeGreaterThan(byCountry('França') + 0.08);
    const ageBand = (lo: number, hi: number) =>
      churnRate(rows.filter((row) => Number(row.idade) >= lo && Number(row.idade) < hi));
    expect(ageBand(48, 62)).toBeGreaterThan(2 * ageBand(18, 35));
    expect(churnRate(rows.filter((row) => Number(row.escore_credito) < 400))).toBeGreaterThan(0.9);
  });

  it('shifts features and the churn rate under --drift', () => {
    expect(churnRate(drifted)).toBeGreaterThan(churnRate(rows) + 0.05);
    expect(mean(drifted, 'idade')).toBeGreaterThan(mean(rows, 'idade') + 2);
    expect(share(drifted, (row) => row.pais === 'Alemanha')).toBeGreaterThan(
      share(rows, (row) => row.pais === 'Alemanha') + 0.05,
    );
  });

  it('changes why customers leave under --concept-drift, not who they are', async () => {
    await generateCustomers(
      { rows: 20_000, seed: 11, drift: 0, conceptDrift: 1, out: join(dir.path, 'c.csv') },
      silent,
    );
    const changed = readSimpleCsv(join(dir.path, 'c.csv'));
    const features = (row: Record<string, string>) => ({ ...row, saiu: '' });
    expect(changed.map(features)).toEqual(rows.map(features));
    // The competitor's card offer: card holders now leave more than the others, the products'
    // effect fades (three products no longer means leaving).
    const rate = (set: typeof rows, keep: (row: Record<string, string>) => boolean) =>
      churnRate(set.filter(keep));
    const card = (row: Record<string, string>) => row.cartao_credito === 'Sim';
    const noCard = (row: Record<string, string>) => row.cartao_credito === 'Não';
    expect(rate(changed, card) - rate(changed, noCard)).toBeGreaterThan(
      rate(rows, card) - rate(rows, noCard) + 0.15,
    );
    const three = (row: Record<string, string>) => row.numero_produtos === '3';
    expect(rate(changed, three)).toBeLessThan(rate(rows, three) - 0.1);
  });
});

describe('determinism and the shipped data', () => {
  it('writes the same bytes for the same seed, and other bytes for another', async () => {
    const out = (name: string) => join(dir.path, name);
    await generateCustomers({ rows: 3000, seed: 5, drift: 0.3, out: out('x.csv') }, silent);
    await generateCustomers({ rows: 3000, seed: 5, drift: 0.3, out: out('y.csv') }, silent);
    await generateCustomers({ rows: 3000, seed: 6, drift: 0.3, out: out('z.csv') }, silent);
    expect(readFileSync(out('x.csv'))).toEqual(readFileSync(out('y.csv')));
    expect(readFileSync(out('x.csv'))).not.toEqual(readFileSync(out('z.csv')));
  });

  it.each([
    ['train.csv', ['--rows', '6000', '--seed', '1']],
    ['new_batch_1.csv', ['--rows', '2000', '--seed', '2']],
    ['new_batch_2.csv', ['--rows', '2000', '--seed', '3', '--drift', '0.5']],
  ])('reproduces data/%s with the command in data/README.md', async (name, args) => {
    const readme = readFileSync(join(REPO_ROOT, 'data', 'README.md'), 'utf8');
    expect(readme).toContain(`churn generate ${args.join(' ')} --out data/${name}`);
    const result = await runChurn(['generate', ...args, '--out', name, '--quiet'], {
      cwd: dir.path,
    });
    expect(result.code).toBe(0);
    expect(readFileSync(join(dir.path, name))).toEqual(readFileSync(join(REPO_ROOT, 'data', name)));
  });
});
