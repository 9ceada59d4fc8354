/**
 * A small seedable random source. Generators take an `Rng` so tests can replay
 * a fleet exactly (same seed, same clock -> same payloads).
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
}

/** mulberry32: 32-bit state, good enough spread for simulation, tiny and fast. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return {
    next() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** Math.random behind the same interface, for unseeded (live) simulation. */
export const mathRng: Rng = { next: () => Math.random() };

export function uniform(rng: Rng, min: number, max: number): number {
  return min + (max - min) * rng.next();
}

/** Integer in [min, max] inclusive. */
export function intBetween(rng: Rng, min: number, max: number): number {
  return Math.floor(uniform(rng, min, max + 1));
}

/** Standard normal via Box-Muller, scaled. */
export function gauss(rng: Rng, sigma = 1, mean = 0): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return mean + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng.next() * items.length)];
}

/** Picks a key with probability proportional to its weight. */
export function weighted<T extends string>(rng: Rng, weights: Readonly<Record<T, number>>): T {
  const entries = Object.entries(weights) as Array<[T, number]>;
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let r = rng.next() * total;
  for (const [k, w] of entries) {
    r -= w;
    if (r < 0) return k;
  }
  return entries[entries.length - 1][0];
}

/** Exponentially distributed delay with the given mean (a Poisson process's gaps). */
export function expDelay(rng: Rng, mean: number): number {
  return -Math.log(1 - rng.next()) * mean;
}

export const clamp = (v: number, min: number, max: number): number => Math.min(max, Math.max(min, v));

/** Rounds to a fixed number of decimals, as devices print their floats. */
export const round = (v: number, decimals: number): number => {
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
};

/** Lower-case alphanumeric token, e.g. the `abc123` in `evt-1737123456-abc123`. */
export function token(rng: Rng, length: number): string {
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < length; i++) out += chars[Math.floor(rng.next() * chars.length)];
  return out;
}
