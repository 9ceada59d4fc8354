/**
 * Reading batches that fan out (one link out to the alerts and dashboard tabs)
 * are copied by a plain-data copy instead of RED.util.cloneMessage.
 *
 * Node-RED gives the first destination of a send the message itself and every
 * other one a deep copy made by lodash.clonedeep, whose generic walk (type
 * tags, a stack of visited objects) cost 7 % of the shipped app's CPU, plus
 * the garbage, copying batches of up to 1,000 Readings. A batch is plain data
 * (arrays, plain objects, strings, numbers), so a direct copy gives the same
 * result: each destination still gets its own copy it may change freely.
 * Only messages a node marked with markBatch() take this path (from a
 * `preRoute` hook, which Node-RED documents as the place to replace the
 * message and set `cloneMessage` false); anything that is not plain data
 * (a Buffer, a Date, a class instance, a function, a cycle, deeper than
 * MAX_DEPTH) is left to RED.util.cloneMessage. Inside the message, own
 * enumerable string keys are copied (symbol keys below the top level, which
 * no node of ours makes, are not).
 */

/** Messages whose copies take the plain-data path (the copies are marked too: they may fan out again). */
const marked = new WeakSet<object>();

/** Levels the plain copy goes down before it hands the message back to Node-RED's clone. */
const MAX_DEPTH = 32;

/** Marks a message as a plain-data batch; returns it. */
export function markBatch<T extends object>(msg: T): T {
  marked.add(msg);
  return msg;
}

export function isMarkedBatch(msg: unknown): boolean {
  return typeof msg === 'object' && msg !== null && marked.has(msg);
}

/** Thrown (and caught below) when a value is not plain data. */
const NOT_PLAIN = Symbol('not plain');

function primitive(v: unknown): unknown {
  if (typeof v === 'function' || typeof v === 'symbol') throw NOT_PLAIN;
  return v;
}

/** Arrays and plain objects, copied; primitives inline (no call per number or string). */
function copyObject(v: object, depth: number): unknown {
  if (depth > MAX_DEPTH) throw NOT_PLAIN;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      out[i] = typeof x === 'object' && x !== null ? copyObject(x, depth + 1) : primitive(x);
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  // A null-prototype object becomes a plain one, as lodash.clonedeep makes it.
  const out: Record<string, unknown> = {};
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    out[k] = typeof x === 'object' && x !== null ? copyObject(x, depth + 1) : primitive(x);
  }
  return out;
}

/**
 * A copy of a plain-data message, as RED.util.cloneMessage makes it (`req` and
 * `res` kept by reference), or undefined when the message is not plain data.
 */
export function copyPlainMessage(msg: Record<string, unknown>): Record<string, unknown> | undefined {
  // A message with symbol-keyed properties (lodash copies those too) is left to Node-RED.
  if (Object.getPrototypeOf(msg) !== Object.prototype || Object.getOwnPropertySymbols(msg).length) return undefined;
  try {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(msg)) {
      const x = msg[k];
      out[k] = k === 'req' || k === 'res' ? x : typeof x === 'object' && x !== null ? copyObject(x, 2) : primitive(x);
    }
    return out;
  } catch (err) {
    if (err === NOT_PLAIN) return undefined;
    throw err;
  }
}

interface SendEvent {
  msg: unknown;
  cloneMessage?: boolean;
}

interface Hooks {
  add(name: string, fn: (event: SendEvent) => void): void;
  has?(name: string): boolean;
}

const HOOK = 'preRoute.iot-batch-copy';

/** Installs the hook once per runtime (every node module may ask). */
export function installBatchCopy(hooks: Hooks | undefined): boolean {
  if (!hooks || typeof hooks.add !== 'function') return false;
  if (hooks.has?.(HOOK)) return true;
  hooks.add(HOOK, (e) => {
    if (!e.cloneMessage || !isMarkedBatch(e.msg)) return;
    const copy = copyPlainMessage(e.msg as Record<string, unknown>);
    if (!copy) return; // Node-RED clones it as usual
    e.msg = markBatch(copy);
    e.cloneMessage = false;
  });
  return true;
}
