/**
 * A forest as plain JSON-safe data: its feature list, parameters, importances and the flattened
 * node arrays as base64. Loading checks every array's length and every node reference, so a
 * damaged model is refused rather than mispredicting.
 */
import { decodeArray, encodeArray } from './encoding.js';
import { featureTables, type FlatForest } from './flat-forest.js';
import { withLockstep } from './lockstep.js';
import type { FeatureInfo, ModelParams } from './types.js';

export const FOREST_FORMAT = 'churn-forest';
/** Version 2 adds each node's training rows (`cover`); version 1 files still load and score. */
export const FOREST_FORMAT_VERSION = 2;
const VERSION_WITHOUT_COVER = 1;

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
  cover: Int32Array,
} as const;

type NodeArrayName = keyof typeof NODE_ARRAYS;
type NodeArrays = { [name in NodeArrayName]: NonNullable<FlatForest[name]> };

/** A serialized forest but its node arrays, which stay typed arrays, for encoding as they are written. */
export interface ForestParts {
  outline: Omit<SerializedForest, 'nodes'>;
  /** The node arrays the forest has, by name. */
  nodes: Record<string, NodeArrays[NodeArrayName]>;
}

export function serializeForest(model: ForestModel): SerializedForest {
  const { outline, nodes } = forestParts(model);
  const encoded: Record<string, string> = {};
  for (const [name, array] of Object.entries(nodes)) encoded[name] = encodeArray(array);
  return { ...outline, nodes: encoded };
}

/** A forest loaded from a version 1 file has no cover to write, and is written as version 1. */
export function forestParts(model: ForestModel): ForestParts {
  const nodes: ForestParts['nodes'] = {};
  for (const name of Object.keys(NODE_ARRAYS) as NodeArrayName[]) {
    const array = model.flat[name];
    if (array) nodes[name] = array;
  }
  return {
    outline: {
      format: FOREST_FORMAT,
      version: model.flat.cover ? FOREST_FORMAT_VERSION : VERSION_WITHOUT_COVER,
      features: model.features.map((feature) => ({ ...feature })),
      params: { ...model.params },
      featureImportances: Array.from(model.featureImportances),
      trees: model.flat.trees,
    },
    nodes,
  };
}

export function deserializeForest(data: unknown): ForestModel {
  const fail = (problem: string): never => {
    throw new TypeError(`not a valid forest: ${problem}`);
  };
  if (typeof data !== 'object' || data === null) return fail('not an object');
  const serialized = data as Partial<SerializedForest>;
  if (serialized.format !== FOREST_FORMAT) return fail(`format is not "${FOREST_FORMAT}"`);
  const version = serialized.version;
  if (version !== FOREST_FORMAT_VERSION && version !== VERSION_WITHOUT_COVER) {
    return fail(
      `format version ${version} is not ${VERSION_WITHOUT_COVER} or ${FOREST_FORMAT_VERSION}`,
    );
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
  const decoded: Record<string, unknown> = { cover: null };
  for (const [name, type] of Object.entries(NODE_ARRAYS) as Array<
    [NodeArrayName, (typeof NODE_ARRAYS)[NodeArrayName]]
  >) {
    if (name === 'cover' && version === VERSION_WITHOUT_COVER) continue;
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
  for (const name of ['left', 'missingLeft', 'value', 'cover'] as const) {
    const length = flat[name]?.length ?? n;
    if (length !== n) fail(`nodes.${name} has ${length} entries, expected ${n}`);
  }
  const cover = flat.cover;
  if (flat.roots.length !== flat.trees) fail(`${flat.roots.length} roots for ${flat.trees} trees`);
  for (let t = 0; t < flat.trees; t++) {
    const root = flat.roots[t];
    const end = t + 1 < flat.trees ? flat.roots[t + 1] : n;
    if (!(root >= 0 && root < end && end <= n)) fail(`tree ${t} has no nodes`);
    if (cover && !(cover[root] >= 1)) fail(`tree ${t} has no training rows`);
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
      // Explanations weigh each side by its share of the node's rows: they must add up.
      if (
        cover &&
        !(
          cover[child] >= 1 &&
          cover[child + 1] >= 1 &&
          cover[child] + cover[child + 1] === cover[node]
        )
      ) {
        fail(`node ${node} has a cover that is not its children's`);
      }
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
