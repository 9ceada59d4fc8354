/**
 * Malformed payloads as broken devices send them, to exercise the normalizer's
 * reject path: cut-off JSON, values of the wrong type, and plain garbage.
 */
import { pick, uniform, type Rng } from './rng';
import type { Payload } from './profile';

export type MalformedKind = 'truncated' | 'wrong-type' | 'garbage';

/** Values no decoder may turn into a number (unlike "22.5" or true, which are legitimate). */
const WRONG_VALUES: unknown[] = ['n/a', null, 'ERR', [], {}, ''];

const GARBAGE = ['ERROR: sensor timeout', 'nan', '{{{', '\u0000\u0013\u00ff', '<html>502 Bad Gateway</html>'];

/** Paths of numeric values in a payload: top-level numbers, `metrics[i].value`, `data.gpio_pin`. */
export function numericPaths(payload: Payload): Array<string[]> {
  const paths: Array<string[]> = [];
  for (const [k, v] of Object.entries(payload)) {
    if (typeof v === 'number') paths.push([k]);
    else if (Array.isArray(v)) v.forEach((m, i) => typeof m?.value === 'number' && paths.push([k, String(i), 'value']));
    else if (v && typeof v === 'object') {
      for (const [k2, v2] of Object.entries(v)) if (typeof v2 === 'number') paths.push([k, k2]);
    }
  }
  return paths;
}

function withValue(payload: Payload, path: string[], value: unknown): Payload {
  const copy = JSON.parse(JSON.stringify(payload)) as Payload;
  let target = copy as Record<string, unknown>;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[path[path.length - 1]] = value;
  return copy;
}

/** The serialised payload, broken in one of three ways. */
export function malform(payload: Payload, rng: Rng): { text: string; kind: MalformedKind } {
  const json = JSON.stringify(payload);
  const paths = numericPaths(payload);
  const kind = pick<MalformedKind>(rng, paths.length ? ['truncated', 'wrong-type', 'garbage'] : ['truncated', 'garbage']);
  if (kind === 'truncated') {
    return { kind, text: json.slice(0, Math.max(1, Math.floor(json.length * uniform(rng, 0.3, 0.9)))) };
  }
  if (kind === 'wrong-type') {
    return { kind, text: JSON.stringify(withValue(payload, pick(rng, paths), pick(rng, WRONG_VALUES))) };
  }
  return { kind, text: pick(rng, GARBAGE) };
}
