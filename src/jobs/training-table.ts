/** What train and retrain log of the labelled table they read, and its churn rate. */
import type { LabelledTable } from '../data/labelled-table.js';
import type { Logger } from '../logging/logger.js';

export function logTrainingTable(table: LabelledTable, log: Logger): void {
  log.info('read training data', {
    file: table.name,
    rows: table.rowsRead,
    delimiter: table.delimiter,
    features: table.schema.features.map((feature) => `${feature.name}:${feature.kind}`).join(' '),
    churnRate: Number(positiveShare(table.labels).toFixed(4)),
    positiveLabel: table.schema.labels.positive,
    sha256: table.fingerprint,
  });
  if (table.missingTarget > 0) {
    log.warn(
      `dropped ${table.missingTarget} row(s) of ${table.name} with no ${table.schema.target} value`,
      { dropped: table.missingTarget },
    );
  }
  for (const stray of table.strayText) {
    log.warn(
      `${table.name}, column "${stray.column}": read ${stray.cells} value(s) that are not numbers as ` +
        `missing (the first, "${stray.example}", on line ${stray.line}); pass --categorical ` +
        `${stray.column} to keep them as categories`,
      { column: stray.column, cells: stray.cells },
    );
  }
  if (table.schema.ignored.length > 0) {
    log.warn(`ignored ${table.schema.ignored.join(', ')} of ${table.name}`);
  }
}

export function positiveShare(labels: Uint8Array): number {
  let positives = 0;
  for (const label of labels) positives += label;
  return labels.length > 0 ? positives / labels.length : 0;
}
