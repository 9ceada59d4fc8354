/**
 * The small part of the Node-RED runtime API our nodes use, typed once.
 * (The community @types/node-red lags the runtime; this subset is stable since 1.0.)
 */
import { resolveDataDir } from './data-dir';
import type { NodeStatus } from './status';

export interface NodeMessage {
  _msgid?: string;
  topic?: string;
  payload?: unknown;
  [key: string]: unknown;
}

export type SendFn = (msg: NodeMessage | null | Array<NodeMessage | NodeMessage[] | null>) => void;
export type DoneFn = (err?: Error) => void;

/** The properties every node definition carries in a flow file. */
export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  z?: string;
  [key: string]: unknown;
}

export interface NodeContextStore {
  get(key: string, store?: string): unknown;
  set(key: string, value: unknown, store?: string): void;
  keys(store?: string): string[];
}

export interface NodeInstance<Creds = Record<string, string>> {
  id: string;
  type: string;
  name?: string;
  z?: string;
  credentials: Partial<Creds>;
  on(event: 'input', cb: (msg: NodeMessage, send: SendFn, done: DoneFn) => void): void;
  on(event: 'close', cb: (removed: boolean, done: () => void) => void): void;
  send: SendFn;
  status(s: NodeStatus): void;
  log(msg: unknown): void;
  warn(msg: unknown): void;
  error(err: unknown, msg?: NodeMessage): void;
  debug(msg: unknown): void;
  trace(msg: unknown): void;
  context(): { flow: NodeContextStore; global: NodeContextStore } & NodeContextStore;
  receive(msg?: NodeMessage): void;
}

export interface RuntimeSettings {
  userDir?: string;
  /** Our own setting: the folder for node state, instead of the user directory. */
  iotDataDir?: string;
  /** Our own setting: the message depth guard's limit in plugin mode (0 turns it off). */
  iotMaxMessageDepth?: number | false;
  [key: string]: unknown;
}

/** An express-style route method (the runtime's express app); callers narrow it to express's own types. */
export type RouteFn = (path: string, ...handlers: unknown[]) => unknown;

export interface NodeAPI {
  /** The node set's message catalog (locales/<lang>/<file>.json); see i18n.ts. */
  _?(key: string, vars?: Record<string, string | number>): string;
  nodes: {
    createNode(node: NodeInstance<object>, def: NodeDef): void;
    registerType(
      type: string,
      ctor: (this: NodeInstance<object>, def: NodeDef) => void,
      opts?: {
        credentials?: Record<string, { type: 'text' | 'password' }>;
        settings?: Record<string, { value: unknown; exportable?: boolean }>;
      },
    ): void;
    getNode(id: string): unknown;
  };
  settings: RuntimeSettings;
  util: {
    cloneMessage<T>(msg: T): T;
    generateId(): string;
    evaluateNodeProperty(value: string, type: string, node: NodeInstance<object>, msg: NodeMessage, cb?: (err: Error | null, v: unknown) => void): unknown;
  };
  httpAdmin: import('http').RequestListener & { get: RouteFn; post: RouteFn };
  httpNode: import('http').RequestListener & { get: RouteFn; post: RouteFn; use: RouteFn };
  auth: { needsPermission(permission: string): (req: unknown, res: unknown, next: () => void) => void };
  log: { info(m: unknown): void; warn(m: unknown): void; error(m: unknown): void; debug(m: unknown): void };
  events: { on(event: string, cb: (...args: never[]) => void): void; removeListener(event: string, cb: (...args: never[]) => void): void };
  /** The runtime's message hooks (onSend and friends; Node-RED 1.3+); absent under node-red-node-test-helper. */
  hooks?: {
    add(name: string, fn: (...args: never[]) => unknown): void;
    remove(name: string): void;
    has(name: string): boolean;
  };
}

/** Where nodes keep files (spool, outbox, alert state, media): see data-dir.ts for the order. */
export function dataDir(RED: NodeAPI): string {
  return resolveDataDir(RED.settings);
}
