import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';

/** The course's real data, beside the checkout; absent in a user's fresh clone. */
export const SHARED_DATA_DIR = join(REPO_ROOT, '..', 'shared', 'data', 'bank-churn');
export const HAS_SHARED_DATA = existsSync(join(SHARED_DATA_DIR, 'dados_treino.csv'));

if (!HAS_SHARED_DATA) {
  console.warn(`skipping comparisons with the course data: ${SHARED_DATA_DIR} is absent`);
}
