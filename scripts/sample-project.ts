/**
 * A scratch project with the shipped configuration and sample data, for whatever must not touch
 * the clone's own files (retrain rewrites its training file): the demo, the tutorial's run, the
 * tests.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './stack/services.js';

export const SAMPLE_FILES = ['train.csv', 'new_batch_1.csv', 'new_batch_2.csv'];

export function copySampleProject(dir: string): void {
  mkdirSync(join(dir, 'data'), { recursive: true });
  for (const name of SAMPLE_FILES) {
    copyFileSync(join(REPOSITORY_ROOT, 'data', name), join(dir, 'data', name));
  }
  copyFileSync(join(REPOSITORY_ROOT, 'churn.config.json'), join(dir, 'churn.config.json'));
}
