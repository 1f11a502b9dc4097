import type { ChalkInstance } from 'chalk';
import type { Command } from 'commander';
import { displayPath } from '../../common/paths.js';
import { UsageError } from '../../common/errors.js';
import type { DoctorReport, ShownModel } from '../../jobs/models.js';
import type { RegistryEntry } from '../../registry/registry.js';
import type { Environment } from '../context.js';
import type { ModelMetrics } from '../../evaluation/index.js';
import type { EvaluationRecord } from '../../registry/evaluations.js';
import { addFlags } from '../flags.js';
import { MODELS_DIR, PUSH_FLAGS } from '../options.js';
import { integerArg } from '../parse.js';
import { confusionTable, metricsTable } from '../render/metrics.js';

/** What the subcommands need when one runs, loaded only then. */
async function whenRun() {
  const [context, jobs] = await Promise.all([
    import('../context.js'),
    import('../../jobs/models.js'),
  ]);
  return { ...context, ...jobs };
}

export function registerModels(program: Command, environment: Environment): void {
  const models = program
    .command('models')
    .description('list, inspect, promote and prune the versions in the model registry');

  addFlags(
    models
      .command('list')
      .description('every model version, newest first, with its holdout metrics'),
    [MODELS_DIR],
  ).action(async (_flags: unknown, cmd: Command) => {
    const { runCommand, listModels } = await whenRun();
    await runCommand('models list', cmd, environment, async ({ config, log, out }) => {
      const entries = await listModels(config.modelsDir, log);
      out.result(entries, renderList, (list) =>
        list.map(({ version, createdAt, champion, metadata }) => ({
          version,
          createdAt,
          champion,
          metrics: metadata.metrics,
        })),
      );
    });
  });

  addFlags(
    models
      .command('show')
      .argument('[version]', 'model version (default: the champion)')
      .description("a version's metrics, confusion matrix, data and settings"),
    [MODELS_DIR],
  ).action(async (version: string | undefined, _flags: unknown, cmd: Command) => {
    const { runCommand, showModel } = await whenRun();
    await runCommand('models show', cmd, environment, async ({ config, log, out }) => {
      const shown = await showModel(config.modelsDir, version, log);
      out.result(shown, renderShow, (model) => ({
        ...model.metadata,
        champion: model.champion,
        modelPath: model.modelPath,
        evaluations: model.evaluations,
      }));
    });
  });

  addFlags(
    models
      .command('promote')
      .argument('<version>', 'model version to make champion')
      .description(
        "make a version the champion that predict uses by default, and publish the champion's group",
      ),
    [MODELS_DIR, ...PUSH_FLAGS],
  ).action(async (version: string, _flags: unknown, cmd: Command) => {
    const { runCommand, promoteModel } = await whenRun();
    const { publishChampion } = await import('../../monitoring/champion.js');
    const { CHAMPION_GROUP } = await import('../../monitoring/publish.js');
    const { preparePublishing } = await import('../monitored.js');
    const { ModelRegistry } = await import('../../registry/registry.js');
    await runCommand('models promote', cmd, environment, async (context) => {
      const { config, log, out } = context;
      const settings = await preparePublishing(CHAMPION_GROUP, cmd.opts(), context);
      const previous = await promoteModel(config.modelsDir, version, log);
      await publishChampion(new ModelRegistry(config.modelsDir), settings, log);
      out.result(
        { version, previous },
        (result, c) =>
          `${c.green('✔')} ${c.bold(result.version)} is the champion` +
          (result.previous && result.previous !== result.version
            ? ` (was ${result.previous})`
            : ''),
      );
    });
  });

  addFlags(
    models
      .command('prune')
      .description(
        'delete old versions, keeping N (earlier champions before rejected challengers) and the champion',
      ),
    [
      {
        flags: '--keep <n>',
        description: 'versions to keep',
        parse: integerArg(0),
        required: true,
      },
      MODELS_DIR,
    ],
  ).action(async (flags: { keep: number }, cmd: Command) => {
    const { runCommand, pruneModels } = await whenRun();
    await runCommand('models prune', cmd, environment, async ({ config, log, out }) => {
      const removed = await pruneModels(config.modelsDir, flags.keep, log);
      out.result(
        { removed },
        (result, c) =>
          `${c.green('✔')} removed ${result.removed.length} version(s)` +
          (result.removed.length > 0 ? `: ${result.removed.join(', ')}` : ''),
      );
    });
  });

  addFlags(
    models
      .command('doctor')
      .description('check every version and the champion pointer; with --repair, fix them')
      .addHelpText(
        'after',
        `
Reads every version as predict would (checksums, signatures, schemas). --repair moves damaged
versions to .quarantine/, points a damaged champion pointer at a sound version and removes the
temporary files of dead runs. Exit code 2 when problems remain (none were repaired).`,
      ),
    [
      { flags: '--repair', description: 'fix what is found (nothing is deleted but leftovers)' },
      MODELS_DIR,
    ],
  ).action(async (flags: { repair?: boolean }, cmd: Command) => {
    const { runCommand, doctorModels } = await whenRun();
    await runCommand('models doctor', cmd, environment, async ({ config, log, out }) => {
      const report = await doctorModels(config.modelsDir, flags.repair === true, log);
      out.result(report, renderDoctor);
      if (!report.repaired && report.findings.length > 0) {
        throw new UsageError(
          `${report.findings.length} problem(s) in ${displayPath(config.modelsDir)}: ` +
            'run churn models doctor --repair to fix them',
        );
      }
    });
  });
}

function renderDoctor(report: DoctorReport, c: ChalkInstance): string {
  if (report.findings.length === 0) return `${c.green('✔')} the registry is sound`;
  return report.findings
    .map(
      (finding) =>
        `${report.repaired ? c.green('✔ repaired') : c.red('✗')} ${c.bold(finding.subject)}: ` +
        `${finding.problem}\n    ${report.repaired ? 'did' : '--repair would'}: ${finding.repair}`,
    )
    .join('\n');
}

function renderList(entries: RegistryEntry[], c: ChalkInstance): string {
  if (entries.length === 0) return 'no models yet: train one with churn train';
  const header = c.dim(
    `  ${'version'.padEnd(25)} ${'created'.padEnd(20)} ${'ROC AUC'.padStart(7)} ${'F2'.padStart(7)} ${'recall'.padStart(7)} ${'rows'.padStart(9)}`,
  );
  const lines = entries.map(({ version, createdAt, champion, metadata }) => {
    const mark = champion ? c.green('★') : ' ';
    const { metrics } = metadata;
    return (
      `${mark} ${(champion ? c.bold : c.reset)(version.padEnd(25))} ${createdAt.slice(0, 19).replace('T', ' ').padEnd(20)} ` +
      `${metrics.rocAuc.toFixed(4).padStart(7)} ${metrics.f2.toFixed(4).padStart(7)} ${metrics.recall.toFixed(4).padStart(7)} ` +
      `${metadata.data.trainRows.toLocaleString('en-US').padStart(9)}` +
      (metadata.status === 'rejected' ? c.dim('  rejected') : '')
    );
  });
  return [
    header,
    ...lines,
    '',
    c.dim('★ champion; rejected: a challenger that lost to the champion'),
  ].join('\n');
}

function renderShow(
  { metadata, champion, modelPath, evaluations }: ShownModel,
  c: ChalkInstance,
): string {
  const importances = Object.entries(metadata.featureImportances)
    .sort((a, b) => b[1] - a[1])
    .map(([name, value]) => `  ${name.padEnd(24)} ${value.toFixed(4)}`);
  const { data, params } = metadata;
  return [
    `${c.bold(metadata.version)}${champion ? c.green(' ★ champion') : ''}` +
      `${metadata.status === 'rejected' ? c.yellow(' rejected challenger') : ''}  created ${metadata.createdAt} by churn ${metadata.churnVersion}`,
    `model: ${displayPath(modelPath)}`,
    `data: ${data.file} (sha256 ${data.sha256.slice(0, 12)}…), ${data.rowsRead.toLocaleString('en-US')} rows, ` +
      `churn rate ${(data.churnRate * 100).toFixed(1)}%; trained on ${data.trainRows.toLocaleString('en-US')}, ` +
      `held out ${data.holdoutRows.toLocaleString('en-US')}`,
    `forest: ${params.trees} trees, maxDepth ${params.maxDepth ?? 'none'}, minSamplesLeaf ${params.minSamplesLeaf}, ` +
      `maxFeatures ${params.maxFeatures}, classWeight ${params.classWeight}, seed ${params.seed}; ` +
      `grown in ${metadata.durations.trainingSeconds.toFixed(2)}s`,
    '',
    metricsTable(metadata.metrics, metadata.ratings, c),
    '',
    confusionTable(metadata.confusionMatrix, c),
    '',
    c.dim('  feature importance'),
    ...importances,
    '',
    ...evaluationLines(evaluations, metadata.metrics, c),
  ].join('\n');
}

/** The version's evaluations on labelled batches, each figure beside its change from the holdout's. */
function evaluationLines(
  evaluations: EvaluationRecord[],
  holdout: ModelMetrics,
  c: ChalkInstance,
): string[] {
  if (evaluations.length === 0) {
    return [c.dim('  no evaluation on a labelled batch yet (churn evaluate --data FILE)')];
  }
  const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(4)}`;
  return [
    c.dim(
      `  ${'evaluated'.padEnd(20)} ${'batch'.padEnd(20)} ${'rows'.padStart(8)} ` +
        `${'ROC AUC'.padStart(16)} ${'F2'.padStart(16)} ${'drift'.padStart(6)}  by`,
    ),
    ...evaluations.map(
      ({ evaluatedAt, batch, rows, metrics, drift, by }) =>
        `  ${evaluatedAt.slice(0, 19).replace('T', ' ').padEnd(20)} ${batch.slice(0, 20).padEnd(20)} ` +
        `${rows.toLocaleString('en-US').padStart(8)} ` +
        `${`${metrics.rocAuc.toFixed(4)} ${signed(metrics.rocAuc - holdout.rocAuc)}`.padStart(16)} ` +
        `${`${metrics.f2.toFixed(4)} ${signed(metrics.f2 - holdout.f2)}`.padStart(16)} ` +
        `${`${Math.round(drift.share * 100)}%`.padStart(6)}  ${by}`,
    ),
    c.dim('  (each figure beside its change from the holdout; drift: share of features drifted)'),
  ];
}
