/**
 * The API's way into the running flows: finds our nodes by type in the
 * deployed flows and hands them a message as a wire would (node.receive). What
 * the node answers is read with runtime hooks that exist only for the length
 * of that synchronous call: onComplete tells a failure (done(err)), onSend sees
 * what the node sends and can keep a reply (the alert list) from going on.
 */
import { HttpError } from './validate';

export interface RuntimeNode {
  id: string;
  type: string;
  receive(msg: Record<string, unknown>): void;
  context(): { flow: { get(key: string): unknown } };
}
export interface NodeDefinition {
  id: string;
  type: string;
  z?: string;
  d?: boolean;
  name?: string;
  [key: string]: unknown;
}
export interface SendEvent {
  msg: Record<string, unknown>;
  source?: { id?: string; node?: { type?: string } };
}
export interface Runtime {
  nodes: {
    getNode(id: string): RuntimeNode | null | undefined;
    getFlows(): { flows?: NodeDefinition[] } | null | undefined;
  };
  hooks: {
    add(name: string, fn: (event: never) => unknown): void;
    remove(name: string): void;
  };
}

/** Thrown when no deployed node can serve a request. */
export const unavailable = (reason: string): HttpError => new HttpError(503, reason);

let seq = 0;

export class RuntimeBridge {
  constructor(
    private readonly red: Runtime,
    private readonly started: () => boolean,
  ) {}

  /** Definitions of the deployed, enabled nodes of a type (flow tabs that are disabled count as off). */
  definitions(type: string): NodeDefinition[] {
    if (!this.started()) throw unavailable('the flows are starting; try again shortly');
    const all = this.red.nodes.getFlows()?.flows || [];
    const off = new Set(all.filter((n) => n.type === 'tab' && n.disabled).map((n) => n.id));
    return all.filter((n) => n.type === type && !n.d && !(n.z && off.has(n.z)));
  }

  /** Running instances of a type, with their definitions; 503 naming the type when there is none. */
  nodes(type: string, filter: (def: NodeDefinition) => boolean = () => true): Array<{ def: NodeDefinition; node: RuntimeNode }> {
    const out: Array<{ def: NodeDefinition; node: RuntimeNode }> = [];
    for (const def of this.definitions(type)) {
      const node = this.red.nodes.getNode(def.id);
      if (node && filter(def)) out.push({ def, node });
    }
    return out;
  }

  node(id: string): RuntimeNode | undefined {
    return this.red.nodes.getNode(id) || undefined;
  }

  /**
   * Gives `msg` to `node` and returns what happened during the call: the error
   * its input handler passed to done(), and the messages it sent. With `keep`,
   * a sent message for which keep() is true is taken and not delivered.
   * Our nodes handle control messages synchronously; `settled` is false if it did not finish in the call.
   */
  deliver(
    node: RuntimeNode,
    msg: Record<string, unknown>,
    keep?: (m: Record<string, unknown>) => boolean,
  ): { error?: Error; settled: boolean; kept: Array<Record<string, unknown>> } {
    const name = `iot-api-${process.pid}-${++seq}`;
    const result: { error?: Error; settled: boolean; kept: Array<Record<string, unknown>> } = { settled: false, kept: [] };
    this.red.hooks.add(`onComplete.${name}`, ((ev: { msg: unknown; error?: Error }) => {
      if (ev.msg !== msg) return;
      result.settled = true;
      result.error = ev.error;
    }) as never);
    if (keep) {
      this.red.hooks.add(`onSend.${name}`, ((events: SendEvent[]) => {
        for (const ev of events) {
          if (ev.source?.id === node.id && keep(ev.msg)) {
            result.kept.push(ev.msg);
            // onSend halts the whole send; our nodes send a reply on its own.
            return false;
          }
        }
        return undefined;
      }) as never);
    }
    try {
      node.receive(msg);
    } finally {
      this.red.hooks.remove(`*.${name}`);
    }
    return result;
  }

  /**
   * As deliver(), for a node that may finish later (done() after async work, e.g. an ack
   * settled in Redis first): resolves once it did, or after `timeoutMs` with `settled` false.
   */
  async deliverSettled(node: RuntimeNode, msg: Record<string, unknown>, timeoutMs: number): Promise<{ error?: Error; settled: boolean }> {
    const name = `iot-api-${process.pid}-${++seq}`;
    const result: { error?: Error; settled: boolean } = { settled: false };
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    this.red.hooks.add(`onComplete.${name}`, ((ev: { msg: unknown; error?: Error }) => {
      if (ev.msg !== msg) return;
      result.settled = true;
      result.error = ev.error;
      finish();
    }) as never);
    let timer: NodeJS.Timeout | undefined;
    try {
      node.receive(msg);
      if (!result.settled) await Promise.race([finished, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    } finally {
      if (timer) clearTimeout(timer);
      this.red.hooks.remove(`*.${name}`);
    }
    return result;
  }
}
