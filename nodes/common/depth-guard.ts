/**
 * Message depth limit, checked before Node-RED clones anything: a runtime
 * `onSend` hook (it runs before the router clones a message for a second
 * wire) drops a message nested deeper than the limit, counts it and warns
 * from the sending node. Without it a 10,000-deep JSON payload on an `mqtt in`
 * topic overflows the stack in RED.util.cloneMessage.
 */
import { metrics } from './metrics';

export const DEFAULT_MAX_DEPTH = 64;

/**
 * Node types whose outputs are bounded by construction (the normalizer cuts
 * payloads at its own `maxDepth`; the others build their messages from
 * Readings) or that forward a message some earlier `send` already checked
 * (link nodes). Walking every Reading batch on every hop cost 12 % of the
 * shipped app's CPU, so the guard looks only where depth can come in.
 */
const BOUNDED_SOURCES: ReadonlySet<string> = new Set([
  'payload-normalizer',
  'threshold-alert',
  'alert-notifier',
  'influxdb-writer',
  'influxdb-query',
  'servo-command',
  'camera-recorder',
  'activity-classifier',
  'link in',
  'link out',
  'link call',
]);

/** Top-level message properties Node-RED never clones (RED.util.cloneMessage keeps them by reference). */
const UNCLONED = new Set(['req', 'res']);

/** Objects the fast walk may visit before it hands over to the exact one (shared sub-objects can make a path walk exponential). */
const FAST_BUDGET = 20_000;

/** True when `value` nests objects or arrays deeper than `max` levels (the value itself is level 1). Safe at any depth and on cycles. */
export function deeperThan(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const budget = { left: FAST_BUDGET };
  // The fast walk recurses at most max + 1 frames and allocates nothing per level; a cycle or
  // an exhausted budget reads as "too deep" there, so a yes is confirmed by the exact walk.
  if (!fastDeeper(value as object, 1, max, budget)) return false;
  return exactDeeper(value as object, max);
}

function fastDeeper(obj: object, level: number, max: number, budget: { left: number }): boolean {
  if (level > max || --budget.left < 0) return true;
  if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) return false;
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) {
      const child = obj[i];
      if (child !== null && typeof child === 'object' && fastDeeper(child, level + 1, max, budget)) return true;
    }
    return false;
  }
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    if (level === 1 && UNCLONED.has(keys[i])) continue;
    const child = (obj as Record<string, unknown>)[keys[i]];
    if (child !== null && typeof child === 'object' && fastDeeper(child, level + 1, max, budget)) return true;
  }
  return false;
}

/** Iterative, visits each object once: the answer for cyclic and shared structures. */
function exactDeeper(value: object, max: number): boolean {
  const stack: Array<[object, number]> = [[value, 1]];
  const seen = new Set<object>();
  while (stack.length) {
    const [obj, depth] = stack.pop()!;
    if (depth > max) return true;
    if (seen.has(obj)) continue;
    seen.add(obj);
    if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) continue;
    const entries = Array.isArray(obj) ? obj.map((v) => ['', v] as const) : Object.entries(obj);
    for (const [key, child] of entries) {
      if (depth === 1 && UNCLONED.has(key)) continue;
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

interface SendEvent {
  msg: unknown;
  source?: { id?: string; node?: { type?: string; warn?(text: string): void } };
}

interface Hooks {
  add(name: string, fn: (events: SendEvent[]) => void): void;
  remove(name: string): void;
  has?(name: string): boolean;
}

const HOOK = 'onSend.iot-depth-guard';
const WARN_EVERY_MS = 60_000;
/** The limit of the hook this module installed last (for installDepthGuardOnce). */
let installed = 0;

/** Installs (or replaces) the hook; messages deeper than `maxDepth` are dropped and counted. */
export function installDepthGuard(hooks: Hooks, maxDepth = DEFAULT_MAX_DEPTH): void {
  installed = maxDepth;
  const lastWarn = new Map<string, number>();
  hooks.remove(HOOK);
  hooks.add(HOOK, (events) => {
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i];
      if (BOUNDED_SOURCES.has(e.source?.node?.type as string)) continue;
      // The message object itself is level 1, so its payload may nest maxDepth - 1 levels.
      if (!deeperThan(e.msg, maxDepth)) continue;
      events.splice(i, 1);
      const type = e.source?.node?.type || 'unknown';
      metrics.messagesTooDeep.inc({ node: type });
      const id = e.source?.id || type;
      const now = Date.now();
      if ((lastWarn.get(id) || 0) + WARN_EVERY_MS <= now) {
        lastWarn.set(id, now);
        e.source?.node?.warn?.(`message dropped: nested deeper than ${maxDepth} levels (counted in iot_messages_too_deep_total)`);
      }
    }
  });
}

/**
 * Plugin mode (our package in someone else's Node-RED, where app/start.ts does not run): the
 * first of our node modules to load installs the guard for the whole runtime, unless the
 * launcher (or an earlier load) already did. `iotMaxMessageDepth` in settings.js sets the
 * limit (8 to 1000, default 64; another value is reported through `warn` and the default
 * used); `0` or `false` leaves the runtime without a guard.
 * Returns the limit in force, 0 when there is none.
 */
export function installDepthGuardOnce(hooks: Hooks | undefined, settings: { iotMaxMessageDepth?: unknown }, warn: (text: string) => void): number {
  if (!hooks || typeof hooks.add !== 'function') return 0;
  if (hooks.has?.(HOOK)) return installed || DEFAULT_MAX_DEPTH;
  const setting = settings.iotMaxMessageDepth;
  if (setting === 0 || setting === false) return 0;
  let n = Number(setting ?? DEFAULT_MAX_DEPTH);
  if (!Number.isInteger(n) || n < 8 || n > 1000) {
    warn(`iotMaxMessageDepth must be an integer from 8 to 1000, or 0 to turn the depth guard off; got ${String(setting)}, using ${DEFAULT_MAX_DEPTH}`);
    n = DEFAULT_MAX_DEPTH;
  }
  installDepthGuard(hooks, n);
  return n;
}
