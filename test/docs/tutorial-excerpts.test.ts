/**
 * How the tutorial's excerpts are cut from a run and compared with a new one
 * (scripts/tutorial): only what varies from run to run is blanked, and model versions keep
 * their identity across excerpts.
 */
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  excerpt,
  outputSpec,
  runnableBlocks,
  withOutputs,
} from '../../scripts/tutorial/documents.js';
import { Comparable, forReaders } from '../../scripts/tutorial/normalize.js';
import { runBlock } from '../../scripts/tutorial/run.js';

const page = [
  '# A step',
  '```sh runnable',
  'npx churn train',
  '```',
  'It prints:',
  '```text output stdout',
  'old',
  '```',
  '```sh runnable',
  'npx churn models list',
  '```',
  '```promql',
  'up',
  '```',
  '',
].join('\n');

describe("the tutorial's output blocks", () => {
  it('pairs each output block with the command before it, and rewrites only its body', () => {
    const blocks = runnableBlocks('page.md', page);
    expect(blocks.map((block) => [block.number, block.script, block.output?.body])).toEqual([
      [1, 'npx churn train\n', 'old\n'],
      [2, 'npx churn models list\n', undefined],
    ]);
    expect(blocks[0].output!.spec).toEqual({ stdout: true, from: undefined, to: undefined });
    expect(withOutputs(page, blocks, new Map([[1, 'new\nlines\n']]))).toBe(
      page.replace('old\n', 'new\nlines\n'),
    );
    expect(() => runnableBlocks('bad.md', '```text output\nx\n```\n')).toThrow(
      'bad.md: the output block at offset',
    );
  });

  it('cuts an excerpt between the lines that contain its from and to texts', () => {
    const spec = outputSpec('text output from="F2 of" to="Alerts"')!;
    expect(spec).toEqual({ stdout: false, from: 'F2 of', to: 'Alerts' });
    const output =
      'starting\n  F2 of the model  0.694  \n  AUC 0.844\n  Alerts  none\nwhere to look\n';
    expect(excerpt(output, spec)).toBe('  F2 of the model  0.694\n  AUC 0.844\n  Alerts  none\n');
    expect(() => excerpt('nothing\n', spec)).toThrow('no line of the output contains "F2 of"');
    expect(outputSpec('text')).toBeNull();
  });

  it("shows a run's scratch clone, ports and stack frames as a reader's would be", () => {
    const places = {
      project: '/tmp/churn-tutorial-x/clone',
      ports: [[40123, 9091]] as Array<[number, number]>,
    };
    expect(
      forReaders(
        'config=/tmp/churn-tutorial-x/clone/churn.config.json gateway=http://127.0.0.1:40123 ' +
          '"stack":"Error: no such file\\n    at open (file:///srv/x.js:1:2)\\n    at y"}',
        places,
      ),
    ).toBe(
      'config=/…/churn.config.json gateway=http://127.0.0.1:9091 "stack":"Error: no such file\\n    at …"}',
    );
    // In a column, the default port keeps the width the reader's own output has.
    expect(forReaders('  Pushgateway  http://127.0.0.1:40123  ready (pid 7)', places)).toBe(
      '  Pushgateway  http://127.0.0.1:9091   ready (pid 7)',
    );
  });

  it('blanks times, durations and ids, and numbers versions in order of appearance', () => {
    const comparable = new Comparable();
    expect(
      comparable.normalize(
        '08:28:14 INFO train started pid=17100 ✔ trained 20261201-082808-125-7718 in 2.43s\n' +
          '{"runId":"f6047253-859c-401f-9f81-0ba1b7e674d2","seconds":3.381,"timestamp":"2026-12-01T08:28:18.094Z"}\n' +
          'logs/churn-2026-12-01.log  2026-12-01 08:28:08  backup-20261201T075158Z.csv\n' +
          'push_time_seconds{job="churn_predict"} 1.7961137136759667e+09 grew seconds=0.606\n',
      ),
    ).toBe(
      '<time> INFO train started pid <pid> ✔ trained <version 1> in <duration>\n' +
        '{"runId":"<run id>","seconds":<duration>,"timestamp":"<timestamp>"}\n' +
        'logs/churn-<date>.log  <date> <time>  backup-<stamp>.csv\n' +
        'push_time_seconds{job="churn_predict"} <epoch> grew seconds=<duration>\n',
    );
    // The same version keeps its number; another gets the next: a wrong version still shows.
    expect(
      comparable.normalize(
        '20261201-082808-125-7718 20261201-090000-000-abcd 20261201-082808-125-7718',
      ),
    ).toBe('<version 1> <version 2> <version 1>');
    // A project's home is named after the host it first ran on.
    expect(
      comparable.normalize(
        'churn_predictions_total{home="vm-c6275f",job="churn_predict"} grouping=home=ana-laptop-3f9a2c',
      ),
    ).toBe('churn_predictions_total{home="<home>",job="churn_predict"} grouping=home=<home>');
    // What does not vary from run to run stays: metrics, counts, customer ids.
    expect(comparable.normalize('F2 0.6938, 1,458 low, 921671261,0.163965,0,low')).toBe(
      'F2 0.6938, 1,458 low, 921671261,0.163965,0,low',
    );
  });

  it('ends a block when its shell exits, telling whether a process it started still runs', async () => {
    const started = Date.now();
    // A reader's terminal gives the prompt back while this runs on: the run must not wait for it.
    const stray = await runBlock(
      'echo started\nnode -e "setTimeout(() => {}, 6000)" &\n',
      tmpdir(),
      process.env,
      false,
    );
    expect(stray).toMatchObject({ code: 0, output: 'started\n', leftRunning: true });
    expect(Date.now() - started).toBeLessThan(5500);
    const clean = await runBlock('echo done >&2\n', tmpdir(), process.env, false);
    expect(clean).toMatchObject({ code: 0, output: 'done\n', leftRunning: false });
  });
});
