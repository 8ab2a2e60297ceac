// A small seeded random source (mulberry32), so a run of the fault matrix can be replayed from its seed.

export interface SeededRandom {
  /** In [0, 1). */
  float(): number;
  /** A whole number from `min` to `max`, both included. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** One of `items`, each as likely as its weight. */
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T;
  chance(probability: number): boolean;
  bytes(length: number): Buffer;
}

export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const float = (): number => next32() / 4_294_967_296;
  const int = (min: number, max: number): number => min + Math.floor(float() * (max - min + 1));
  return {
    float,
    int,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[int(0, items.length - 1)] as (typeof items)[number];
    },
    weighted: (items) => {
      const total = items.reduce((sum, [, weight]) => sum + weight, 0);
      let point = float() * total;
      for (const [item, weight] of items) {
        point -= weight;
        if (point < 0) return item;
      }
      const last = items.at(-1);
      if (last === undefined) throw new RangeError('pick from an empty list');
      return last[0];
    },
    chance: (probability) => float() < probability,
    bytes: (length) => {
      const buffer = Buffer.alloc(length);
      for (let offset = 0; offset < length; offset += 4) {
        const word = next32();
        for (let i = 0; i < 4 && offset + i < length; i += 1) buffer[offset + i] = (word >>> (8 * i)) & 0xff;
      }
      return buffer;
    },
  };
}
