/** Shared by the generator tests: a fixed local midnight, payload shapes, and a driver for one generator. */
import { seededRng } from '../../../nodes/sensor-input/sim/rng';

export const T0 = new Date(2025, 5, 25, 0, 0, 0).getTime(); // local midnight
export const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
export const LOCAL_MICROS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;

/** Runs a generator every `stepMs` for `count` steps and returns the payloads. */
export function run<S>(
  p: { init(id: string, now: number, rng: any): S; next(s: S, now: number, rng: any): { topic: string; payload: any } },
  id: string,
  count: number,
  stepMs: number,
  seed = 7,
) {
  const rng = seededRng(seed);
  const state = p.init(id, T0, rng);
  const out: Array<{ topic: string; payload: any; now: number }> = [];
  for (let i = 1; i <= count; i++) {
    const now = T0 + i * stepMs;
    out.push({ ...p.next(state, now, rng), now });
  }
  return { out, state };
}

export const keys = (o: object): string[] => Object.keys(o).sort();
