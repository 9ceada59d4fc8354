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
 * Only routed copies count: Catch, Complete and Status nodes get a clone
 * through `receive()`, unrouted, so their completions are not counted either.
 * (A `link call` also hands its message to a `link in` unrouted; a message
 * taking that path may settle before the end of the call: do not put a
 * durable writer behind a link call.)
 */
import { ackLedger, type AckLedger } from './ack-ledger';

const LABEL = 'iotDurableAck';

interface HookNode {
  _inputCallback?: ((...args: unknown[]) => void) | null;
  _inputCallbacks?: Array<(...args: unknown[]) => void> | null;
  _expectedDoneCount?: number;
}

export interface Hooks {
  add<E>(id: string, cb: (event: E) => void): void;
  remove(id: string): void;
  has(id: string): boolean;
}

/** True when the node's input handlers call done(), so its onComplete will come. */
export function completesOnItsOwn(node: HookNode | undefined): boolean {
  if (!node) return false;
  if (node._inputCallback) return node._inputCallback.length >= 3;
  if (node._inputCallbacks && node._inputCallbacks.length > 0) return (node._expectedDoneCount ?? 0) > 0;
  return false;
}

const users = new Set<string>();

/** Core nodes that get their copy through receive(), not routing (see the file comment). */
const UNROUTED = new Set(['catch', 'complete', 'status']);

type Msg = { _msgid?: unknown };

function install(hooks: Hooks, ledger: AckLedger): void {
  if (hooks.has(`preDeliver.${LABEL}`)) return;
  hooks.add(`preDeliver.${LABEL}`, (e: { msg?: Msg }) => {
    ledger.delivered(e.msg?._msgid);
  });
  hooks.add(`onComplete.${LABEL}`, (e: { msg?: Msg; node?: { node?: { type?: string } } }) => {
    if (!UNROUTED.has(e.node?.node?.type as string)) ledger.completed(e.msg?._msgid);
  });
  hooks.add(`postReceive.${LABEL}`, (e: { msg?: Msg; destination?: { node?: HookNode & { type?: string } } }) => {
    const node = e.destination?.node;
    if (!completesOnItsOwn(node) && !UNROUTED.has(node?.type as string)) ledger.completed(e.msg?._msgid);
  });
}

/**
 * The runtime's hooks: `RED.hooks` (Node-RED 2.0+), else the module the
 * runtime itself uses (node-red-node-test-helper gives nodes no `RED.hooks`).
 */
export function runtimeHooks(red: { hooks?: Hooks }): Hooks | undefined {
  if (red.hooks) return red.hooks;
  try {
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
