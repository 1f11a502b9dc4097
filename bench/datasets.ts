/**
 * The benchmark's data: the course's real files when ../shared is there, and generated customers
 * at 100k and 1M rows. Our forest gets columns built in memory (so its peak memory is the
 * forest's, not a CSV parser's); scikit-learn and ml-random-forest read the same rows from CSV.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bankCustomers } from '../src/data/synthetic/bank-customers.js';
import type { FeatureColumn, TrainingSet } from '../src/forest/index.js';
import { generateCustomers } from '../src/jobs/generate.js';
import { silentLogger } from '../support/silent-logger.js';
import { bankColumns } from '../support/bank-columns.js';

export interface Dataset {
  name: string;
  trainCsv: string;
  testCsvs: Record<string, string>;
  /** Fits of each model, for the median; the 1M set gets one. */
  runs: number;
  rows: number;
}

export interface SyntheticSpec {
  rows: number;
  seed: number;
}

export const BENCH_DIR = '.bench';
const SHARED = join('..', 'shared', 'data', 'bank-churn');

export async function datasets(include: (name: string) => boolean): Promise<Dataset[]> {
  const sets: Dataset[] = [];
  if (include('course')) {
    if (existsSync(join(SHARED, 'dados_treino.csv'))) {
      sets.push({
        name: 'course',
        trainCsv: join(SHARED, 'dados_treino.csv'),
        testCsvs: {
          novos_1: join(SHARED, 'dados_novos_1.csv'),
          novos_2: join(SHARED, 'dados_novos_2.csv'),
        },
        runs: 7,
        rows: 6000,
      });
    } else {
      console.log(`skipping the course data: ${SHARED} is absent`);
    }
  }
  for (const [name, rows, runs] of [
    ['100k', 100_000, 3],
    ['1M', 1_000_000, 1],
  ] as const) {
    if (!include(name)) continue;
    const trainCsv = join(BENCH_DIR, `train-${name}.csv`);
    const testCsv = join(BENCH_DIR, `test-${name}.csv`);
    if (!existsSync(trainCsv))
      await generateCustomers({ rows, seed: 1, drift: 0, out: trainCsv }, silentLogger);
    if (!existsSync(testCsv))
      await generateCustomers({ rows: 20_000, seed: 2, drift: 0, out: testCsv }, silentLogger);
    sets.push({ name, trainCsv, testCsvs: { fresh: testCsv }, runs, rows });
  }
  return sets;
}

const CATEGORIES: Record<string, string[]> = {
  pais: ['França', 'Alemanha', 'Espanha'],
  genero: ['Masculino', 'Feminino'],
  cartao_credito: ['Não', 'Sim'],
};

/**
 * A generated training file's rows as columns, drawn again from the generator in memory: the
 * same rows as the CSV, with no parser's memory in the measurement.
 */
export function syntheticColumns(rows: number, seed: number): TrainingSet {
  const values = {
    idade: new Float64Array(rows),
    anos_cliente: new Float64Array(rows),
    saldo_conta: new Float64Array(rows),
    numero_produtos: new Float64Array(rows),
    salario_estimado: new Float64Array(rows),
    escore_credito: new Float64Array(rows),
  };
  const codes = {
    pais: new Int32Array(rows),
    genero: new Int32Array(rows),
    cartao_credito: new Int32Array(rows),
  };
  const labels = new Uint8Array(rows);
  let i = 0;
  for (const { customer, churned } of bankCustomers(seed, rows, 0)) {
    codes.pais[i] = CATEGORIES.pais.indexOf(customer.country);
    codes.genero[i] = CATEGORIES.genero.indexOf(customer.gender);
    values.idade[i] = customer.age;
    values.anos_cliente[i] = customer.tenureYears;
    values.saldo_conta[i] = Math.round(customer.balance * 100) / 100;
    values.numero_produtos[i] = customer.products;
    codes.cartao_credito[i] = customer.hasCreditCard ? 1 : 0;
    values.salario_estimado[i] = Math.round(customer.salary * 100) / 100;
    values.escore_credito[i] = customer.creditScore;
    labels[i++] = churned ? 1 : 0;
  }
  const features: FeatureColumn[] = [
    ...Object.entries(codes).map(([name, column]) => ({
      name,
      kind: 'categorical' as const,
      codes: column,
      categories: CATEGORIES[name].length,
    })),
    ...Object.entries(values).map(([name, column]) => ({
      name,
      kind: 'numeric' as const,
      values: column,
    })),
  ];
  return { features, labels };
}

/** A CSV of ours or the course's as columns in the same order as syntheticColumns. */
export function csvColumns(path: string): TrainingSet {
  const vocabulary = new Map(
    Object.entries(CATEGORIES).map(([name, values]) => [name, [...values]]),
  );
  const set = bankColumns(path, vocabulary);
  const order = [
    'pais',
    'genero',
    'cartao_credito',
    'idade',
    'anos_cliente',
    'saldo_conta',
    'numero_produtos',
    'salario_estimado',
    'escore_credito',
  ];
  return {
    features: order.map((name) => set.features.find((f) => f.name === name)!),
    labels: set.labels,
  };
}
