/**
 * deploy/kubernetes, with no cluster: every manifest is valid against the Kubernetes API schemas
 * (strictly: no unknown field), and the pieces fit together: the shard count agrees everywhere,
 * volumes and claims exist, the configuration is one churn accepts, the flags are churn's own.
 */
import type { Command } from 'commander';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createProgram } from '../../src/cli/program.js';
import { loadConfig } from '../../src/config/load.js';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';
import { kubernetesProblems } from '../helpers/kubernetes.js';

const DIR = join(REPO_ROOT, 'deploy', 'kubernetes');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = Record<string, any>;

function manifests(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS() as Manifest;
  });
}

const files = readdirSync(DIR).filter((name) => name.endsWith('.yaml'));
const objects = files
  .filter((file) => file !== 'kustomization.yaml')
  .flatMap((file) => manifests(file).map((manifest) => ({ file, manifest })));
const find = (kind: string, name: string): Manifest => {
  const found = objects.find(
    ({ manifest }) =>
      manifest.kind === kind && (manifest.metadata.name ?? manifest.metadata.generateName) === name,
  );
  expect(found, `${kind} ${name}`).toBeDefined();
  return found!.manifest;
};
const podSpec = (manifest: Manifest): Manifest =>
  manifest.kind === 'CronJob'
    ? manifest.spec.jobTemplate.spec.template.spec
    : manifest.spec.template.spec;

const scoreJob = find('Job', 'churn-score-');
const mergeJob = find('Job', 'churn-merge-');
const retrain = find('CronJob', 'churn-retrain');
const workloads = [scoreJob, mergeJob, retrain, find('Deployment', 'churn-pushgateway')];

function churnOptions(command: string): string[] {
  const program = createProgram({
    cwd: REPO_ROOT,
    env: {},
    streams: { stdout: process.stdout, stderr: process.stderr },
    state: {},
  });
  const sub = program.commands.find((c: Command) => c.name() === command)!;
  return [...sub.options, ...program.options].map((option) => option.long!);
}

describe('deploy/kubernetes', () => {
  it.each(objects.map(({ file, manifest }) => [file, manifest.kind, manifest]))(
    '%s: %s is valid against the Kubernetes API schema',
    (_file, _kind, manifest) => {
      expect(kubernetesProblems(manifest as Manifest)).toEqual([]);
    },
  );

  it('catches a misspelt field, a wrong type and a bad quantity (the check can fail)', () => {
    const typo = structuredClone(scoreJob);
    typo.spec.completionz = 4;
    expect(kubernetesProblems(typo)).toEqual(['unknown field spec.completionz']);
    const wrongType = structuredClone(scoreJob);
    wrongType.spec.parallelism = 'four';
    expect(kubernetesProblems(wrongType).join()).toMatch(/parallelism must be integer/);
    const quantity = structuredClone(scoreJob);
    podSpec(quantity).containers[0].resources.requests.memory = 'lots';
    expect(kubernetesProblems(quantity).join()).toMatch(/requests\/memory/);
  });

  it('lists in the kustomization every manifest but the run-by-hand jobs', () => {
    const [kustomization] = manifests('kustomization.yaml');
    const expected = files.filter(
      (file) => !['kustomization.yaml', 'score-job.yaml', 'merge-job.yaml'].includes(file),
    );
    expect([...kustomization.resources].sort()).toEqual(expected.sort());
    for (const { manifest } of objects) {
      if (manifest.kind !== 'Namespace') expect(manifest.metadata.namespace).toBe('churn');
    }
  });

  it('scores with an Indexed Job whose shard count agrees with --shards and the merge', () => {
    const { spec } = scoreJob;
    expect(spec.completionMode).toBe('Indexed');
    expect(spec.parallelism).toBe(spec.completions);
    const shardsOf = (args: string[]) => Number(args[args.indexOf('--shards') + 1]);
    const [predict] = podSpec(scoreJob).containers;
    expect(predict.args[0]).toBe('predict');
    expect(shardsOf(predict.args)).toBe(spec.completions);
    const [merge] = podSpec(mergeJob).containers;
    expect(merge.args).toContain('--merge-shards');
    expect(shardsOf(merge.args)).toBe(spec.completions);
    const outOf = (args: string[]) => args[args.indexOf('--out') + 1];
    expect(outOf(merge.args)).toBe(outOf(predict.args));
    // Bad input fails the index at once: exit code 2 means a retry would fail alike.
    expect(spec.podFailurePolicy.rules[0]).toMatchObject({
      action: 'FailIndex',
      onExitCodes: { containerName: 'predict', operator: 'In', values: [2] },
    });
  });

  it('passes only flags churn has', () => {
    const flagsOf = (args: string[]) => args.join(' ').match(/--[a-z-]+/g)!;
    for (const [manifest, command] of [
      [scoreJob, 'predict'],
      [mergeJob, 'predict'],
      [retrain, 'retrain'],
    ] as const) {
      const known = churnOptions(command);
      for (const flag of flagsOf(podSpec(manifest).containers[0].args)) {
        expect(known, `${command} ${flag}`).toContain(flag);
      }
    }
  });

  it('mounts only declared volumes, claims that exist, and the config churn reads', () => {
    const claims = objects
      .filter(({ manifest }) => manifest.kind === 'PersistentVolumeClaim')
      .map(({ manifest }) => manifest.metadata.name);
    for (const workload of workloads) {
      const spec = podSpec(workload);
      const volumes = new Map<string, Manifest>(spec.volumes.map((v: Manifest) => [v.name, v]));
      for (const container of spec.containers) {
        expect(container.resources.requests.cpu, container.name).toBeDefined();
        expect(container.resources.requests.memory, container.name).toBeDefined();
        expect(container.resources.limits.memory, container.name).toBeDefined();
        for (const mount of container.volumeMounts) expect(volumes.has(mount.name)).toBe(true);
      }
      for (const volume of volumes.values()) {
        if (volume.persistentVolumeClaim)
          expect(claims).toContain(volume.persistentVolumeClaim.claimName);
        if (volume.configMap) find('ConfigMap', volume.configMap.name);
      }
    }
    // The scoring pods read the models; only retraining writes them.
    const modelsMount = (workload: Manifest) =>
      podSpec(workload).containers[0].volumeMounts.find((m: Manifest) => m.name === 'models');
    expect(modelsMount(scoreJob).readOnly).toBe(true);
    expect(modelsMount(retrain).readOnly).toBeUndefined();
  });

  it('configures churn with a file its schema accepts, pointing at the mounted volumes', () => {
    const text = find('ConfigMap', 'churn-config').data['churn.config.json'];
    const scratch = tempDir();
    try {
      writeFileSync(join(scratch.path, 'churn.config.json'), text);
      const { config } = loadConfig({ cwd: scratch.path, env: {} });
      const mountOf = (name: string) =>
        podSpec(retrain).containers[0].volumeMounts.find((m: Manifest) => m.name === name)
          .mountPath;
      expect(config.modelsDir).toBe(mountOf('models'));
      expect(config.outputsDir.startsWith(mountOf('data'))).toBe(true);
      expect(config.model.threads).toBe(
        Number(podSpec(scoreJob).containers[0].resources.requests.cpu),
      );
      // The Pushgateway URL names the Service, on its port.
      const service = find('Service', 'churn-pushgateway');
      expect(config.pushgateway.url).toBe(
        `http://${service.metadata.name}.${service.metadata.namespace}.svc:${service.spec.ports[0].port}`,
      );
    } finally {
      scratch.remove();
    }
  });

  it('selects the Pushgateway pods with the Service, on the port the container serves', () => {
    const deployment = find('Deployment', 'churn-pushgateway');
    const service = find('Service', 'churn-pushgateway');
    expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(deployment.spec.selector.matchLabels).toEqual(service.spec.selector);
    const port = podSpec(deployment).containers[0].ports[0];
    expect(service.spec.ports[0].targetPort).toBe(port.name);
    expect(podSpec(deployment).containers[0].args.join(' ')).toMatch(
      /--persistence\.file=\/data\//,
    );
  });
});
