/**
 * Connects the ack ledger to the Node-RED runtime's message hooks
 * (https://nodered.org/docs/api/hooks/messaging/): a tracked message's copies
 * are counted as they are delivered and as nodes finish with them.
 *
 * - preDeliver: a copy is about to reach a node (after routing and cloning,
 *   so a missing destination is never counted). It is counted here, at send
 *   time, because delivery is asynchronous: counted on arrival, a message
 *   would look finished between the sender's done() and the next node;
 * - onComplete: the node called done(), with or without an error;
 * - postReceive: the input handlers have run; a node that has no handler, or
 *   whose handlers do not take `done`, never completes, so it is done here.
 *
 * Only routed copies count, by message object: a node that passes the same
 * object on is counted once per hop, and a copy that reaches a node without
 * being routed (Catch, Complete and Status nodes get a clone through
 * `receive()`) neither counts nor completes anything.
 *
 * The hooks are added when the first user starts and removed with the last.
 */
import { ackLedger, type AckLedger } from './ack-ledger';

const LABEL = 'iotDurableAck';

interface HookNode {
  _inputCallback?: ((...args: unknown[]) => void) | null;
  _inputCallbacks?: Array<(...args: unknown[]) => void> | null;
  _expectedDoneCount?: number;
}

export interface Hooks {
  add(id: string, cb: (event: any) => void): void;
  remove(id: string): void;
  has(id: string): boolean;
}

/** True when the node's input handlers will never call done() for a message. */
export function completesOnItsOwn(node: HookNode | undefined): boolean {
  if (!node) return false;
  if (node._inputCallback) return node._inputCallback.length >= 3;
  if (node._inputCallbacks && node._inputCallbacks.length > 0) return (node._expectedDoneCount ?? 0) > 0;
  return false;
}

const users = new Set<string>();

type Msg = { _msgid?: unknown };

function install(hooks: Hooks, ledger: AckLedger): void {
  if (hooks.has(`preDeliver.${LABEL}`)) return;
  /** Routed deliveries of each message object not completed yet. */
  const routed = new WeakMap<object, number>();
  const complete = (msg: Msg | undefined): void => {
    if (!msg) return;
    const n = routed.get(msg);
    if (!n) return;
    if (n === 1) routed.delete(msg);
    else routed.set(msg, n - 1);
    ledger.completed(msg._msgid);
  };
  hooks.add(`preDeliver.${LABEL}`, (e: { msg?: Msg }) => {
    const msg = e.msg;
    if (!msg || !ledger.isTracked(msg._msgid)) return;
    routed.set(msg, (routed.get(msg) ?? 0) + 1);
    ledger.delivered(msg._msgid);
  });
  hooks.add(`onComplete.${LABEL}`, (e: { msg?: Msg }) => complete(e.msg));
  hooks.add(`postReceive.${LABEL}`, (e: { msg?: Msg; destination?: { node?: HookNode } }) => {
    if (!completesOnItsOwn(e.destination?.node)) complete(e.msg);
  });
}

/**
 * The runtime's hooks: `RED.hooks` (Node-RED 2.0+), else the module the
 * runtime itself uses (node-red-node-test-helper gives nodes no `RED.hooks`).
 */
export function runtimeHooks(red: { hooks?: Hooks }): Hooks | undefined {
  if (red.hooks) return red.hooks;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require('@node-red/util').hooks as Hooks;
  } catch {
    return undefined;
  }
}

/**
 * Registers a user (an input node) of the durable acknowledgement; returns
 * the function that unregisters it. Safe to call again after the runtime
 * cleared its hooks (tests restart runtimes in one process).
 */
export function useAckHooks(hooks: Hooks | undefined, userId: string, ledger: AckLedger = ackLedger): () => void {
  if (!hooks) throw new Error('this Node-RED has no message hooks (needs 2.0 or later): set Acknowledge to "when received"');
  users.add(userId);
  install(hooks, ledger);
  return () => {
    users.delete(userId);
    if (users.size > 0) return;
    for (const id of ['preDeliver', 'onComplete', 'postReceive']) hooks.remove(`${id}.${LABEL}`);
  };
}
