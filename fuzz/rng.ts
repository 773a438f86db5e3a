// A deterministic pseudo-random source (SplitMix32-style mixing, Mulberry32 stepping): the same
// seed gives the same inputs on every machine, so any input is named by (seed, category, index).

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A seed for input `index` of `category` in the campaign `seed`. */
  static forInput(seed: number, category: string, index: number): Rng {
    let h = seed ^ 0x9e3779b9;
    for (const c of category) h = Math.imul(h ^ c.charCodeAt(0), 0x85ebca6b);
    h = Math.imul(h ^ index, 0xc2b2ae35);
    return new Rng((h ^ (h >>> 16)) >>> 0);
  }

  /** Uniform in [0, 2^32). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    if (!items.length) throw new Error('pick from an empty list');
    return items[this.int(items.length)] as T;
  }

  /** A value that parsers find interesting: bounds, powers of two, all ones. */
  interestingU32(): number {
    return this.pick([0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, this.next()]);
  }
}
