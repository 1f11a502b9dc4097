import type { Command } from 'commander';
import type { GenerateResult } from '../../jobs/generate.js';
import type { Environment } from '../context.js';
import { addFlags } from '../flags.js';
import { integerArg, numberArg } from '../parse.js';
import { progressBar } from '../progress.js';

interface GenerateFlags {
  rows: number;
  seed: number;
  out: string;
  drift: number;
  conceptDrift: number;
}

export function registerGenerate(program: Command, environment: Environment): void {
  const command = program
    .command('generate')
    .description('write synthetic bank customers in the course schema, with a known churn signal');
  addFlags(command, [
    {
      flags: '--out <file>',
      description: 'CSV file to write (replaced atomically), or - for stdout',
      required: true,
    },
    {
      flags: '--rows <n>',
      description: 'number of customers',
      parse: integerArg(0),
      default: 6000,
    },
    {
      flags: '--seed <n>',
      description: 'random seed: the same seed writes the same bytes',
      parse: integerArg(0, 2 ** 32 - 1),
      default: 42,
    },
    {
      flags: '--drift <x>',
      description: 'shift the distributions and churn rate, 0 (none) to 1',
      parse: numberArg(0, 1),
      default: 0,
    },
    {
      flags: '--concept-drift <x>',
      description: "change why customers leave, 0 (none) to 1: what degrades a model's performance",
      parse: numberArg(0, 1),
      default: 0,
    },
  ])
    .addHelpText(
      'after',
      `
Examples:
  churn generate --rows 6000 --seed 1 --out data/train.csv
  churn generate --rows 2000 --seed 3 --drift 0.5 --out data/drifted.csv
  churn generate --rows 2000 --seed 4 --drift 1 --concept-drift 1 --out data/degraded.csv
  churn generate --rows 1000000 --out /tmp/big.csv --quiet`,
    )
    .action(async (flags: GenerateFlags, cmd: Command) => {
      const { runCommand } = await import('../context.js');
      const { checkedOutput } = await import('../output-path.js');
      const { generateCustomers } = await import('../../jobs/generate.js');
      await runCommand('generate', cmd, environment, async ({ config, log, out }) => {
        out.claimStdoutFor(flags.out);
        const target = await checkedOutput(
          { flag: '--out', given: flags.out, fallback: flags.out, inputs: [] },
          config,
          environment.cwd,
        );
        const progress = progressBar(out, 'generating', flags.rows, 'rows');
        const result = await generateCustomers(
          {
            ...flags,
            out: target,
            stdout: environment.streams.stdout,
            onProgress: progress.update,
          },
          log,
        );
        progress.finish();
        out.result({ ...result, out: flags.out }, renderGenerate);
      });
    });
}

function renderGenerate(result: GenerateResult, c: import('chalk').ChalkInstance): string {
  const rate = (result.churnRate * 100).toFixed(1);
  const size = (result.bytes / 1024 / 1024).toFixed(2);
  return (
    `${c.green('✔')} wrote ${c.bold(result.rows.toLocaleString('en-US'))} customers to ` +
    `${c.bold(result.out)} (${size} MB, churn rate ${rate}%, seed ${result.seed}` +
    `${result.drift > 0 ? `, drift ${result.drift}` : ''}` +
    `${result.conceptDrift > 0 ? `, concept drift ${result.conceptDrift}` : ''}) in ${result.seconds.toFixed(2)}s`
  );
}
