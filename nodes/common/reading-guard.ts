/** A structural check of the Reading shape, for code that receives messages from our nodes. */
import type { Reading } from './types';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const stringMap = (v: unknown): boolean => v === undefined || (isObject(v) && Object.values(v).every((x) => typeof x === 'string'));

/** True when `v` has the fields of a Reading (DESIGN.md, "Message contract") with the right types. */
export function isReading(v: unknown): v is Reading {
  if (!isObject(v)) return false;
  if (typeof v.deviceId !== 'string' || !v.deviceId || typeof v.sensorType !== 'string') return false;
  if (typeof v.ts !== 'number' || !Number.isFinite(v.ts) || typeof v.received !== 'number') return false;
  if (!isObject(v.metrics) || !Object.values(v.metrics).every((x) => typeof x === 'number' && Number.isFinite(x))) return false;
  if (!stringMap(v.units) || !stringMap(v.tags)) return false;
  if (v.event !== undefined && (!isObject(v.event) || typeof v.event.id !== 'string' || typeof v.event.type !== 'string')) return false;
  return true;
}
