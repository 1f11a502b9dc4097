/**
 * Seeded pseudo-random numbers. Everything random in churn (sample data, bootstrap draws, feature
 * sampling) goes through this so that a seed reproduces a run bit for bit on any machine: the
 * arithmetic is 32-bit integer only, never Math.random.
 */

/** A 32-bit integer hash that is a bijection: distinct inputs give distinct outputs. */
export function mix32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Derives an independent stream seed from a parent seed and a stream number (e.g. a tree index). */
export function deriveSeed(seed: number, stream: number): number {
  return mix32(mix32(seed) ^ mix32(stream + 0x9e3779b9));
}

/** sfc32: small, fast, and passes PractRand far beyond what we draw. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;
  /** The last bound of int() and its rejection limit: draws come in runs with one bound. */
  private intBound = 0;
  private intLimit = 0;

  constructor(seed: number) {
    this.a = mix32(seed ^ 0xa5a5a5a5);
    this.b = mix32(seed + 0x3c6ef372);
    this.c = mix32(seed ^ 0x1b873593);
    this.d = 1;
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!(n > 0 && n <= 4294967296)) throw new RangeError(`int(n) needs 0 < n <= 2^32, got ${n}`);
    if (n !== this.intBound) {
      this.intBound = n;
      this.intLimit = 4294967296 - (4294967296 % n);
    }
    let x = this.nextUint32();
    while (x >= this.intLimit) x = this.nextUint32();
    // x % n on numbers past int32 is a floating-point remainder, a library call (a few percent
    // of growing a tree); this is exact, as x / n never rounds up to the next integer below 2^32.
    return x - Math.floor(x / n) * n;
  }

  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal by the polar Box-Muller method. */
  normal(mean = 0, sd = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + sd * z;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * factor;
    return mean + sd * u * factor;
  }

  /** Index drawn with probability proportional to weights (which need not sum to 1). */
  pick(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}

/** FNV-1a over a string's UTF-16 code units, mixed: a stable 32-bit key for a row's identity. */
export function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return mix32(hash);
}
