/**
 * Generic layouts, tried last: `<anything>/<device>/<metric>` with a bare number or
 * `ON` / `OFF` / `open` / `closed` / `true` / `false` payload (metric and sensor type
 * from the last level, device from the one before), and `<base>/<device>/availability`.
 */
import { snakeName, stateWord } from '../draft';
import { availability, bareValue, join } from './common';
import type { TopicDecoder } from './types';

const isBare = (v: unknown): boolean => typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && stateWord(v) !== undefined);

export const generic: TopicDecoder = {
  name: 'generic',
  topics: [],
  route(levels) {
    const n = levels.length;
    if (n >= 2 && levels[n - 1] === 'availability')
      return { deviceId: n === 2 ? levels[0] : join(levels, 1, n - 1), sensorType: 'generic', kind: 'availability' };
    return null;
  },
  guess(levels, value) {
    const n = levels.length;
    if (n < 3 || !isBare(value)) return null;
    const metric = snakeName(levels[n - 1]);
    if (metric === '' || levels[n - 2] === '') return null;
    return { deviceId: levels[n - 2], sensorType: metric, kind: 'bare', metric };
  },
  decode: (value, r, d) => (r.kind === 'availability' ? availability(d, value) : bareValue(d, r.metric!, value)),
};
