/**
 * A forest as plain JSON-safe data: its feature list, parameters, importances and the flattened
 * node arrays as base64. Loading checks every array's length and every node reference, so a
 * damaged model is refused rather than mispredicting.
 */
import { decodeArray, encodeArray } from './encoding.js';
import { featureTables, withLockstep, type FlatForest } from './predictor.js';
import type { FeatureInfo, ModelParams } from './types.js';

export const FOREST_FORMAT = 'churn-forest';
export const FOREST_FORMAT_VERSION = 1;

export interface ForestModel {
  features: FeatureInfo[];
  params: ModelParams;
  featureImportances: Float64Array;
  flat: FlatForest;
}

export interface SerializedForest {
  format: typeof FOREST_FORMAT;
  version: number;
  features: FeatureInfo[];
  params: ModelParams;
  featureImportances: number[];
  trees: number;
  nodes: Record<string, string>;
}

const NODE_ARRAYS = {
  roots: Int32Array,
  feature: Int32Array,
  left: Int32Array,
  missingLeft: Uint8Array,
  value: Float64Array,
  categoryBits: Uint32Array,
} as const;

type NodeArrayName = keyof typeof NODE_ARRAYS;

/** A serialized forest but its node arrays, which stay typed arrays, for encoding as they are written. */
export interface ForestParts {
  outline: Omit<SerializedForest, 'nodes'>;
  nodes: Pick<FlatForest, NodeArrayName>;
}

export function serializeForest(model: ForestModel): SerializedForest {
  const { outline, nodes } = forestParts(model);
  const encoded: Record<string, string> = {};
  for (const [name, array] of Object.entries(nodes)) encoded[name] = encodeArray(array);
  return { ...outline, nodes: encoded };
}

export function forestParts(model: ForestModel): ForestParts {
  const nodes = {} as Record<NodeArrayName, FlatForest[NodeArrayName]>;
  for (const name of Object.keys(NODE_ARRAYS) as NodeArrayName[]) nodes[name] = model.flat[name];
  return {
    outline: {
      format: FOREST_FORMAT,
      version: FOREST_FORMAT_VERSION,
      features: model.features.map((feature) => ({ ...feature })),
      params: { ...model.params },
      featureImportances: Array.from(model.featureImportances),
      trees: model.flat.trees,
    },
    nodes: nodes as Pick<FlatForest, NodeArrayName>,
  };
}

export function deserializeForest(data: unknown): ForestModel {
  const fail = (problem: string): never => {
    throw new TypeError(`not a valid forest: ${problem}`);
  };
  if (typeof data !== 'object' || data === null) return fail('not an object');
  const serialized = data as Partial<SerializedForest>;
  if (serialized.format !== FOREST_FORMAT) return fail(`format is not "${FOREST_FORMAT}"`);
  if (serialized.version !== FOREST_FORMAT_VERSION) {
    return fail(`format version ${serialized.version} is not ${FOREST_FORMAT_VERSION}`);
  }
  const features = serialized.features;
  if (!Array.isArray(features) || features.length === 0) return fail('no features');
  for (const feature of features) {
    const ok =
      typeof feature?.name === 'string' &&
      (feature.kind === 'numeric' || feature.kind === 'categorical') &&
      Number.isInteger(feature.categories) &&
      feature.categories >= 0;
    if (!ok) fail(`bad feature ${JSON.stringify(feature)}`);
  }
  const trees = serialized.trees;
  if (!Number.isInteger(trees) || (trees as number) < 1) return fail('no trees');
  const nodes = serialized.nodes ?? fail('no nodes');
  const decoded = {} as Record<NodeArrayName, FlatForest[NodeArrayName]>;
  for (const [name, type] of Object.entries(NODE_ARRAYS) as Array<
    [NodeArrayName, (typeof NODE_ARRAYS)[NodeArrayName]]
  >) {
    decoded[name] = decodeArray(nodes[name], type as never, `nodes.${name}`);
  }
  const unchecked = {
    ...(decoded as unknown as Omit<FlatForest, 'trees' | 'categorical' | 'categories'>),
    trees: trees as number,
    ...featureTables(features),
  } as FlatForest;
  checkStructure(unchecked, features.length, fail);
  const flat = withLockstep(unchecked);
  const importances = serialized.featureImportances;
  if (!Array.isArray(importances) || importances.length !== features.length) {
    fail('feature importances do not match the features');
  }
  return {
    features: features.map((feature) => ({ ...feature })),
    params: { ...(serialized.params as ModelParams) },
    featureImportances: Float64Array.from(importances as number[]),
    flat,
  };
}

/** Every reference inside bounds and every walk finite: a bad file cannot hang or crash scoring. */
function checkStructure(
  flat: FlatForest,
  featureCount: number,
  fail: (problem: string) => never,
): void {
  const n = flat.feature.length;
  for (const name of ['left', 'missingLeft', 'value'] as const) {
    if (flat[name].length !== n)
      fail(`nodes.${name} has ${flat[name].length} entries, expected ${n}`);
  }
  if (flat.roots.length !== flat.trees) fail(`${flat.roots.length} roots for ${flat.trees} trees`);
  for (let t = 0; t < flat.trees; t++) {
    const root = flat.roots[t];
    const end = t + 1 < flat.trees ? flat.roots[t + 1] : n;
    if (!(root >= 0 && root < end && end <= n)) fail(`tree ${t} has no nodes`);
    for (let node = root; node < end; node++) {
      const feature = flat.feature[node];
      if (feature < 0) {
        if (!(flat.value[node] >= 0 && flat.value[node] <= 1))
          fail(`leaf ${node} is not a probability`);
        continue;
      }
      if (feature >= featureCount) fail(`node ${node} splits on unknown feature ${feature}`);
      // Children come after their parent within the same tree, so every walk ends.
      const child = flat.left[node];
      if (!(child > node && child + 1 < end)) fail(`node ${node} has a bad child ${child}`);
      if (flat.categorical[feature]) {
        const offset = flat.value[node];
        const words = Math.max(1, Math.ceil(flat.categories[feature] / 32));
        const ok =
          Number.isInteger(offset) && offset >= 0 && offset + words <= flat.categoryBits.length;
        if (!ok) fail(`node ${node} has a bad category set`);
      } else if (Number.isNaN(flat.value[node])) {
        fail(`node ${node} has no threshold`);
      }
    }
  }
}
