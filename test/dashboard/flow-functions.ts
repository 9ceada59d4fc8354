/**
 * Runs a function node of dashboards/dashboard.json outside Node-RED, with
 * in-memory flow/context stores and a tab env, so the shipped code is what
 * the unit tests exercise.
 */
import fs from 'fs';
import path from 'path';
import { REPO_ROOT } from '../support/red';

export interface FlowNode {
  id: string;
  type: string;
  z?: string;
  func?: string;
  [key: string]: unknown;
}

export const DASHBOARD_FILE = path.join(REPO_ROOT, 'dashboards', 'dashboard.json');

export function dashboardNodes(): FlowNode[] {
  return JSON.parse(fs.readFileSync(DASHBOARD_FILE, 'utf8')) as FlowNode[];
}

type Msg = Record<string, any>;
export type Output = Msg | null | Array<Msg | Msg[] | null>;

export interface FunctionRunner {
  (msg: Msg): Output;
  flow: Map<string, unknown>;
  context: Map<string, unknown>;
  warnings: string[];
  env: Record<string, string>;
}

/** A callable for the function node `id`; `flow` may be shared between runners like a tab's flow context. */
/**
 * `global` is global context: as the runtime's seed (functionGlobalContext, where the app puts
 * `iotRegistry`), its values are handed over as they are, not cloned.
 */
export function functionNode(
  id: string,
  opts: { flow?: Map<string, unknown>; env?: Record<string, string>; global?: Map<string, unknown> } = {},
): FunctionRunner {
  const nodes = dashboardNodes();
  const def = nodes.find((n) => n.id === id);
  if (!def || def.type !== 'function' || typeof def.func !== 'string') throw new Error(`no function node ${id} in dashboard.json`);
  const tab = nodes.find((n) => n.type === 'tab');
  const tabEnv: Record<string, string> = {};
  for (const e of (tab?.env as Array<{ name: string; value: string }>) || []) tabEnv[e.name] = e.value;
  const flowStore = opts.flow || new Map<string, unknown>();
  const ctxStore = new Map<string, unknown>();
  const warnings: string[] = [];
  const envValues = { ...tabEnv, ...(opts.env || {}) };
  const store = (m: Map<string, unknown>) => ({
    get: (k: string) => structuredClone(m.get(k)),
    // As Node-RED's memory store: setting undefined deletes the key.
    set: (k: string, v: unknown) => {
      if (v === undefined) m.delete(k);
      else m.set(k, structuredClone(v));
    },
  });
  const node = { warn: (t: string) => warnings.push(String(t)), error: (t: string) => warnings.push(String(t)), log: () => undefined, send: () => undefined };
  const globalStore = opts.global || new Map<string, unknown>();
  const global = { get: (k: string) => globalStore.get(k), set: (k: string, v: unknown) => globalStore.set(k, v) };
  const body = new Function('msg', 'flow', 'context', 'env', 'node', 'global', def.func) as (...a: unknown[]) => Output;
  const run = ((msg: Msg) =>
    body(structuredClone(msg), store(flowStore), store(ctxStore), { get: (k: string) => envValues[k] }, node, global)) as FunctionRunner;
  run.flow = flowStore;
  run.context = ctxStore;
  run.warnings = warnings;
  run.env = envValues;
  return run;
}
