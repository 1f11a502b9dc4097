/**
 * The real data sets the quality benchmark scores, when ../shared/data holds them: the course's
 * bank churn files (train on dados_treino, score both later batches), and UCI's adult and bank
 * marketing, each split into train.csv and test.csv.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface QualitySet {
  name: string;
  train: string;
  /** Labelled files scored by the model trained on `train`. */
  tests: Record<string, string>;
  target: string;
  id: string;
  /** The target value meaning positive, when it is not a usual yes. */
  positiveLabel: string | null;
  delimiter: ',' | ';';
}

const SHARED = join('..', 'shared', 'data');

const ALL: QualitySet[] = [
  {
    name: 'course',
    train: join(SHARED, 'bank-churn', 'dados_treino.csv'),
    tests: {
      novos_1: join(SHARED, 'bank-churn', 'dados_novos_1.csv'),
      novos_2: join(SHARED, 'bank-churn', 'dados_novos_2.csv'),
    },
    target: 'saiu',
    id: 'id_cliente',
    positiveLabel: null,
    delimiter: ',',
  },
  {
    name: 'adult',
    train: join(SHARED, 'adult', 'train.csv'),
    tests: { test: join(SHARED, 'adult', 'test.csv') },
    target: 'class',
    id: 'person_id',
    positiveLabel: '>50K',
    delimiter: ',',
  },
  {
    name: 'bank-marketing',
    train: join(SHARED, 'bank-marketing', 'train.csv'),
    tests: { test: join(SHARED, 'bank-marketing', 'test.csv') },
    target: 'y',
    id: 'client_id',
    positiveLabel: null,
    delimiter: ';',
  },
];

/** The sets whose files are present; says which are skipped and why. */
export function qualitySets(include: (name: string) => boolean = () => true): QualitySet[] {
  return ALL.filter((set) => {
    if (!include(set.name)) return false;
    const files = [set.train, ...Object.values(set.tests)];
    const absent = files.find((file) => !existsSync(file));
    if (absent) console.log(`skipping ${set.name}: ${absent} is absent`);
    return !absent;
  });
}
