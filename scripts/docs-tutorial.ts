/**
 * `npm run docs:tutorial`: runs the README's and the tutorial's commands as a newcomer would
 * (scripts/tutorial/run.ts) and writes what they printed into the output blocks of the docs, all
 * from this one run, so figures and model versions agree from step to step. test/docs/runnable
 * fails when the committed excerpts and a new run's differ beyond times, durations and ids.
 * Needs the monitoring stack's binaries (docs/stack.md), as the tutorial does.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPOSITORY_ROOT } from './stack/services.js';
import { withOutputs } from './tutorial/documents.js';
import { describeFailure, runTutorial } from './tutorial/run.js';

async function main(): Promise<number> {
  console.log('running the README and the tutorial in a scratch clone …');
  const tutorial = await runTutorial((line) => console.log(`  ${line}`));
  try {
    const failures = tutorial.documents.flatMap(({ document, runs }) =>
      runs
        .filter((run) => run.code !== 0 || run.problem)
        .map((run) => describeFailure(document, run)),
    );
    if (failures.length > 0) {
      console.error(
        `\nnothing written: ${failures.length} command(s) failed\n\n${failures.join('\n\n')}`,
      );
      return 1;
    }
    for (const { document, text, runs } of tutorial.documents) {
      const bodies = new Map(
        runs.filter((run) => run.excerpt !== null).map((run) => [run.block.number, run.excerpt!]),
      );
      const updated = withOutputs(
        text,
        runs.map((run) => run.block),
        bodies,
      );
      if (updated !== text) writeFileSync(join(REPOSITORY_ROOT, document), updated);
      console.log(
        `${updated === text ? 'unchanged' : 'updated  '} ${document} (${bodies.size} excerpts)`,
      );
    }
    return 0;
  } finally {
    await tutorial.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
