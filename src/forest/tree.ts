/**
 * One fitted tree as flat typed arrays, 21 bytes a node. A split's children are always stored
 * side by side (right = left + 1), and one Float64 per node holds what that node needs: a leaf's
 * probability, a numeric split's raw threshold, or where a categorical split's bitset of raw codes
 * starts in `categoryBits`. Prediction reads raw columns and never bins them.
 */
export interface Tree {
  /** Split feature of each node, or -1 for a leaf. */
  feature: Int32Array;
  /** Left child of a split (the right child is the next node); -1 for a leaf. */
  left: Int32Array;
  /** 1 when missing values (and unseen categories) go left. */
  missingLeft: Uint8Array;
  /**
   * Leaf: the weighted share of positives (churn probability). Numeric split: values <= it go
   * left. Categorical split: the word offset of its code bitset (bit set = code goes left).
   */
  value: Float64Array;
  categoryBits: Uint32Array;
  /**
   * The training rows that reached each node (distinct rows of the tree's bootstrap sample): the
   * cover that weighs a split's two sides where a feature is unknown, as explanations need.
   */
  cover: Int32Array;
}

export const LEAF = -1;

/** A split's child as it is added: a leaf until it is split in turn. */
export interface ChildLeaf {
  value: number;
  cover: number;
}

/** Typed arrays that grow by doubling while a tree is built. */
export class TreeBuilder {
  private size = 0;
  private capacity: number;
  feature: Int32Array;
  left: Int32Array;
  missingLeft: Uint8Array;
  value: Float64Array;
  cover: Int32Array;
  private bits: number[] = [];

  constructor(capacity = 64) {
    this.capacity = capacity;
    this.feature = new Int32Array(capacity);
    this.left = new Int32Array(capacity);
    this.missingLeft = new Uint8Array(capacity);
    this.value = new Float64Array(capacity);
    this.cover = new Int32Array(capacity);
  }

  /** Adds a leaf reached by `cover` training rows; splitNumeric / splitCategorical turn it into a split. */
  addLeaf(value: number, cover: number): number {
    if (this.size === this.capacity) this.grow();
    const node = this.size++;
    this.feature[node] = LEAF;
    this.left[node] = LEAF;
    this.value[node] = value;
    this.cover[node] = cover;
    return node;
  }

  /** Makes `node` a numeric split and adds its two children as leaves. */
  splitNumeric(
    node: number,
    feature: number,
    threshold: number,
    missingLeft: boolean,
    children: [ChildLeaf, ChildLeaf],
  ): number {
    this.value[node] = threshold;
    return this.split(node, feature, missingLeft, children);
  }

  /** Makes `node` a split on the codes marked in `codesLeft` and adds its children as leaves. */
  splitCategorical(
    node: number,
    feature: number,
    codesLeft: boolean[],
    missingLeft: boolean,
    children: [ChildLeaf, ChildLeaf],
  ): number {
    this.value[node] = this.bits.length;
    const words = Math.max(1, Math.ceil(codesLeft.length / 32));
    for (let w = 0; w < words; w++) {
      let word = 0;
      for (let b = 0; b < 32; b++) if (codesLeft[w * 32 + b]) word |= 1 << b;
      this.bits.push(word >>> 0);
    }
    return this.split(node, feature, missingLeft, children);
  }

  private split(
    node: number,
    feature: number,
    missingLeft: boolean,
    [left, right]: [ChildLeaf, ChildLeaf],
  ): number {
    this.feature[node] = feature;
    this.missingLeft[node] = missingLeft ? 1 : 0;
    const leftNode = this.addLeaf(left.value, left.cover);
    this.addLeaf(right.value, right.cover);
    this.left[node] = leftNode;
    return leftNode;
  }

  finish(): Tree {
    const n = this.size;
    return {
      feature: this.feature.slice(0, n),
      left: this.left.slice(0, n),
      missingLeft: this.missingLeft.slice(0, n),
      value: this.value.slice(0, n),
      categoryBits: Uint32Array.from(this.bits),
      cover: this.cover.slice(0, n),
    };
  }

  private grow(): void {
    this.capacity *= 2;
    const widen = <T extends Int32Array | Float64Array | Uint8Array>(
      old: T,
      make: (n: number) => T,
    ): T => {
      const next = make(this.capacity);
      next.set(old);
      return next;
    };
    this.feature = widen(this.feature, (n) => new Int32Array(n));
    this.left = widen(this.left, (n) => new Int32Array(n));
    this.missingLeft = widen(this.missingLeft, (n) => new Uint8Array(n));
    this.value = widen(this.value, (n) => new Float64Array(n));
    this.cover = widen(this.cover, (n) => new Int32Array(n));
  }
}
