import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';
import { sharedData } from './prerequisites.js';

/** The course's real data, beside the checkout; absent in a user's fresh clone and in CI. */
export const SHARED_DATA_DIR = join(REPO_ROOT, '..', 'shared', 'data', 'bank-churn');
export const COURSE_DATA = [sharedData(join(SHARED_DATA_DIR, 'dados_treino.csv'))];
