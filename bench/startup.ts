/**
 * `npm run bench -- startup [--baseline DIR] [--runs N]`: how long churn takes to start, as whole
 * processes the way a user feels them: a bare `node -e ""`, `churn --version`, `churn --help`,
 * every command's `--help`, and a command that fails at once (`churn predict --data missing.csv`
 * in an empty folder). Runs alternate between the cases (and the two builds), so a busy machine
 * slows them all alike; medians are printed with their ratio to the bare node start.
 *
 * --baseline DIR times another checkout's build beside this one (DIR/bin/churn.js, built), e.g.
 * main's: git archive main | tar -x -C /tmp/base && cd /tmp/base && npm ci.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const REPO = resolve(here, '..', '..', '..');
const DEFAULT_RUNS = 21;

interface Case {
  name: string;
  args: string[];
  /** The exit code the case must end with. */
  code: number;
}

const COMMANDS = [
  'train',
  'predict',
  'retrain',
  'report',
  'export-metrics',
  'generate',
  'serve',
  'models list',
  'models show',
  'models promote',
  'models prune',
  'models doctor',
];

const CASES: Case[] = [
  { name: '--version', args: ['--version'], code: 0 },
  { name: '--help', args: ['--help'], code: 0 },
  ...COMMANDS.map((command) => ({
    name: `${command} --help`,
    args: [...command.split(' '), '--help'],
    code: 0,
  })),
  { name: 'predict --data missing.csv', args: ['predict', '--data', 'missing.csv'], code: 2 },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Milliseconds for one whole process, checked for the exit code it must give. */
function timed(args: string[], cwd: string, code: number): number {
  const started = performance.now();
  const child = spawnSync(process.execPath, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const ms = performance.now() - started;
  if (child.status !== code) {
    throw new Error(`${args.join(' ')} exited ${child.status}, not ${code}: ${child.stderr}`);
  }
  return ms;
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

export function benchStartup(args: string[]): void {
  const runs = Number(option(args, '--runs') ?? DEFAULT_RUNS);
  const baselineDir = option(args, '--baseline');
  const builds: Array<[string, string]> = [['this build', resolve(REPO, 'bin', 'churn.js')]];
  if (baselineDir) {
    const bin = resolve(baselineDir, 'bin', 'churn.js');
    if (!existsSync(bin)) throw new Error(`--baseline: no ${bin}`);
    builds.push(['baseline', bin]);
  }
  // Empty folders with no churn.config.json above them (the temporary folder has none on a sane
  // machine), one per build: this build's failing case must leave its folder empty.
  const cwd = mkdtempSync(resolve(tmpdir(), 'churn-startup-'));
  const folders = builds.map(([build]) =>
    build === 'this build' ? cwd : mkdtempSync(resolve(tmpdir(), 'churn-startup-baseline-')),
  );
  const times = new Map<string, number[]>();
  const record = (key: string, ms: number) => times.set(key, [...(times.get(key) ?? []), ms]);
  try {
    console.log(`startup: ${runs} alternated runs of each case, in ${cwd}`);
    for (let run = 0; run < runs; run++) {
      record('node -e ""', timed(['-e', ''], cwd, 0));
      for (const { name, args: caseArgs, code } of CASES) {
        builds.forEach(([build, bin], b) =>
          record(`${build}\t${name}`, timed([bin, ...caseArgs], folders[b], code)),
        );
      }
    }
    if (readdirSync(cwd).length > 0) {
      throw new Error(`the failing case left ${readdirSync(cwd).join(', ')} in ${cwd}`);
    }
  } finally {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  }

  const node = median(times.get('node -e ""')!);
  console.log(
    `\nmedian milliseconds of ${runs} runs; × node: against a bare \`node -e ""\` (${node.toFixed(0)} ms)`,
  );
  const header = ['case'.padEnd(28), ...builds.map(([build]) => `${build.padStart(10)}  × node`)];
  if (baselineDir) header.push('this / baseline');
  console.log(header.join('  '));
  for (const { name } of CASES) {
    const medians = builds.map(([build]) => median(times.get(`${build}\t${name}`)!));
    const cells = medians.map(
      (ms) => `${ms.toFixed(0).padStart(10)}  ${(ms / node).toFixed(2).padStart(5)}×`,
    );
    if (baselineDir) cells.push(`${(medians[0] / medians[1]).toFixed(2).padStart(15)}`);
    console.log([`churn ${name}`.padEnd(28), ...cells].join('  '));
  }
  const version = median(times.get('this build\t--version')!);
  const help = median(times.get('this build\t--help')!);
  console.log(
    `\ntarget: --version and --help within 2× of node: ${(version / node).toFixed(2)}×, ${(help / node).toFixed(2)}×` +
      (Math.max(version, help) <= 2 * node ? ' (met)' : ' (NOT met)'),
  );
}
