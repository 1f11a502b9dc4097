/**
 * The docs cannot rot: the README's and the tutorial's `sh runnable` blocks run here as a
 * newcomer runs them (scripts/tutorial/run.ts: in order, in one scratch clone, the monitoring
 * stack started by step 3's `npm run monitoring:up`), each must succeed, and each output block
 * must show what its command printed in this run, but for times, durations and ids
 * (scripts/tutorial/normalize.ts). When a change alters an output, `npm run docs:tutorial`
 * rewrites the excerpts from one new run. Every `promql` block of the docs must be a query
 * Prometheus accepts.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fences, readDocument, runnableDocuments } from '../../scripts/tutorial/documents.js';
import { Comparable } from '../../scripts/tutorial/normalize.js';
import { describeFailure, runTutorial, type TutorialRun } from '../../scripts/tutorial/run.js';
import { instantQuery } from '../../scripts/stack/prometheus-api.js';
import { MONITORING_STACK } from '../helpers/monitoring-binaries.js';
import { binary, requires } from '../helpers/prerequisites.js';

const DOCUMENTS = runnableDocuments();
const PROMQL_DOCUMENTS = [...DOCUMENTS, join('docs', 'prometheus.md')];

requires(
  [...MONITORING_STACK, binary('/usr/bin/curl', 'curl')],
  "the README's and the tutorial's commands and their output excerpts, and the PromQL of the docs",
).describe('the documentation, run', () => {
  let tutorial: TutorialRun;
  /** Per document, each output block: as committed and as printed now, both made comparable. */
  const excerpts = new Map<string, Array<{ number: number; committed: string; now: string }>>();

  beforeAll(async () => {
    tutorial = await runTutorial();
    // One numbering of model versions across all the excerpts, on each side.
    const committed = new Comparable();
    const now = new Comparable();
    for (const { document, runs } of tutorial.documents) {
      excerpts.set(
        document,
        runs
          .filter((run) => run.block.output)
          .map((run) => ({
            number: run.block.number,
            committed: committed.normalize(run.block.output!.body),
            now: now.normalize(run.excerpt ?? ''),
          })),
      );
    }
  }, 900_000);

  afterAll(async () => {
    await tutorial?.close();
  });

  for (const document of DOCUMENTS) {
    it(`runs the commands of ${document} in order, each printing what its excerpt shows`, () => {
      const { runs } = tutorial.documents.find((run) => run.document === document)!;
      expect(runs.length, document).toBeGreaterThan(0);
      for (const run of runs) {
        expect(run.code === 0 && !run.problem, describeFailure(document, run)).toBe(true);
      }
      for (const { number, committed, now } of excerpts.get(document)!) {
        expect(
          now,
          `${document}, the output of command ${number} differs from this run's: if the change ` +
            'is meant, run npm run docs:tutorial and review the new excerpts',
        ).toBe(committed);
      }
    });
  }

  it('shows real output after the commands whose output matters', () => {
    const counts = Object.fromEntries(
      [...excerpts].map(([document, blocks]) => [document, blocks.length]),
    );
    expect(Object.values(counts).reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(15);
  });

  it('accepts every PromQL query of the docs', async () => {
    const queries = PROMQL_DOCUMENTS.flatMap((document) =>
      fences(readDocument(document))
        .filter((fence) => fence.info === 'promql')
        .map((fence) => ({ document, query: fence.body.trim() })),
    );
    expect(queries.length).toBeGreaterThanOrEqual(30);
    expect(tutorial.prometheus).not.toBeNull();
    for (const { document, query } of queries) {
      await expect(
        instantQuery(tutorial.prometheus!, query),
        `${document}: ${query}`,
      ).resolves.toBeDefined();
    }
  });
});
