/**
 * Kubernetes manifests checked against the API's schemas with no cluster: kubernetes-models'
 * validators (generated from the Kubernetes OpenAPI document: types, required fields, enums,
 * quantities), made strict about unknown fields as `kubectl apply --validate=strict` is. The
 * validators read each field their schema knows; a field of an object that nothing read, in an
 * object that is no map, is one the schema does not have (a typo the API server would refuse).
 */
import { ConfigMap, Namespace, PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { CronJob, Job } from 'kubernetes-models/batch/v1';

interface Validated {
  validate(): void;
}
type ModelClass = { prototype: Validated };

const MODELS: Record<string, ModelClass> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'batch/v1/CronJob': CronJob,
};

/** The problems of one manifest: the schema's complaints, then each unknown field's path. */
export function kubernetesProblems(manifest: Record<string, unknown>): string[] {
  const kind = `${String(manifest.apiVersion)}/${String(manifest.kind)}`;
  const model = MODELS[kind];
  if (model === undefined) return [`no schema for ${kind}`];
  const read = new WeakMap<object, Set<PropertyKey>>();
  const listed = new WeakSet<object>();
  const watch = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const target = value as object;
    read.set(target, read.get(target) ?? new Set());
    return new Proxy(target, {
      get(object, key, receiver) {
        read.get(object)!.add(key);
        return watch(Reflect.get(object, key, receiver));
      },
      ownKeys(object) {
        listed.add(object); // a map (labels, data, requests): any key is allowed
        return Reflect.ownKeys(object);
      },
    });
  };
  try {
    model.prototype.validate.call(watch(manifest) as Validated);
  } catch (error) {
    return [(error as Error).message];
  }
  const unknown: string[] = [];
  const visit = (value: unknown, path: string) => {
    if (value === null || typeof value !== 'object') return;
    const keys = read.get(value);
    if (keys === undefined) return;
    for (const [key, child] of Object.entries(value)) {
      const where = Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`;
      if (!Array.isArray(value) && !listed.has(value) && !keys.has(key)) {
        unknown.push(`unknown field ${where.slice(1)}`);
      } else {
        visit(child, where);
      }
    }
  };
  visit(manifest, '');
  return unknown;
}
