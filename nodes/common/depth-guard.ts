/**
 * Message depth limit, checked before Node-RED clones anything: a runtime
 * `onSend` hook (it runs before the router clones a message for a second
 * wire) drops a message nested deeper than the limit, counts it and warns
 * from the sending node. Without it a 10,000-deep JSON payload on an `mqtt in`
 * topic overflows the stack in RED.util.cloneMessage.
 */
import { metrics } from './metrics';

export const DEFAULT_MAX_DEPTH = 64;

/** True when `value` nests objects or arrays deeper than `max` levels (the value itself is level 1). Iterative: safe at any depth. */
export function deeperThan(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: Array<[object, number]> = [[value as object, 1]];
  const seen = new Set<object>();
  while (stack.length) {
    const [obj, depth] = stack.pop()!;
    if (depth > max) return true;
    if (seen.has(obj)) continue;
    seen.add(obj);
    if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) continue;
    const children = Array.isArray(obj) ? obj : Object.values(obj);
    for (const child of children) {
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
}

const HOOK = 'onSend.iot-depth-guard';
const WARN_EVERY_MS = 60_000;

/** Installs (or replaces) the hook; messages deeper than `maxDepth` are dropped and counted. */
export function installDepthGuard(hooks: Hooks, maxDepth = DEFAULT_MAX_DEPTH): void {
  const lastWarn = new Map<string, number>();
  hooks.remove(HOOK);
  hooks.add(HOOK, (events) => {
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i];
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
