import { describe, expect, it } from 'vitest';
import { Random } from '../../src/common/random.js';

/** int() as first written: rejection sampling, then the remainder. Seeds made models with it. */
function referenceInt(random: Random, n: number): number {
  const limit = 4294967296 - (4294967296 % n);
  let x = random.nextUint32();
  while (x >= limit) x = random.nextUint32();
  return x % n;
}

describe('Random.int', () => {
  it('draws the same numbers as its first definition, so a seed still makes the same model', () => {
    // Bounds of bootstrap draws and feature draws, bounds past int32, and bounds changing from
    // draw to draw, the way a tree draws its features.
    const bounds = [1, 2, 3, 9, 6000, 100_000, 2 ** 31 - 1, 2 ** 31 + 11, 3_000_000_019, 2 ** 32];
    for (const seed of [0, 1, 42, 0xdeadbeef]) {
      const ours = new Random(seed);
      const reference = new Random(seed);
      const drawn: number[] = [];
      const expected: number[] = [];
      const inRange: boolean[] = [];
      for (let draw = 0; draw < 20_000; draw++) {
        const n =
          draw % 7 === 0 ? bounds[((draw / 7) % bounds.length) | 0] : bounds[(draw % 4) + 3];
        const value = ours.int(n);
        drawn.push(value);
        expected.push(referenceInt(reference, n));
        inRange.push(Number.isInteger(value) && value >= 0 && value < n);
      }
      expect(drawn).toEqual(expected);
      expect(inRange.every(Boolean)).toBe(true);
    }
  });

  it('refuses a bound it cannot draw below', () => {
    const random = new Random(1);
    for (const n of [0, -1, NaN, 2 ** 32 + 1]) expect(() => random.int(n)).toThrow(RangeError);
  });
});
