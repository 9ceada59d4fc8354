/**
 * `npm run check:flows` (`node dist/scripts/check-flows.js`): every flow file
 * in flows/ and dashboards/ is versioned, uses only known node types, resolves
 * its config nodes and links, holds no credentials, and uses only documented
 * environment variables. The rules (checkFlows) are pure: they take parsed
 * files and return problems; the loader and the command line follow them.
 */
import fs from 'fs';
import path from 'path';
import { EditorDef, editorDefs, editorProblems } from './editor-defs';
import { RENAMED_TYPES } from '../nodes/common/type-migrations';
import { nodeBox, overlaps } from './flow-layout';

export interface FlowFile {
  file: string;
  nodes: Array<Record<string, unknown>>;
}

export interface CheckContext {
  /** Every node type that a runtime with this package installed knows. */
  knownTypes: Set<string>;
  /** Environment variables documented in the README. */
  documentedEnv: Set<string>;
  /** Editor definitions of our node types: their nodes must open valid in the editor. */
  editorDefs?: Map<string, EditorDef>;
  /** Files whose editor check is put off (being changed elsewhere); reported apart by the caller. */
  editorDeferred?: Set<string>;
}

/** Properties that name a config node. */
const CONFIG_REFS = ['broker', 'server', 'influxdb', 'influx', 'smtp', 'tls', 'group', 'page', 'ui', 'theme', 'config', 'camera'];
/** Property names that may only hold a ${VAR} reference or nothing. */
const SECRET_KEYS = /^(password|passwd|pass|token|secret|apikey|api_key|key|user(name)?)$/i;
/** Variables Node-RED itself provides in flows. */
const BUILTIN_ENV = new Set(['NR_NODE_ID', 'NR_NODE_NAME', 'NR_NODE_PATH', 'NR_GROUP_ID', 'NR_GROUP_NAME', 'NR_FLOW_ID', 'NR_FLOW_NAME', 'FLOW_VERSION']);

function envRefs(value: unknown, out: Set<string>): void {
  if (typeof value === 'string') {
    for (const m of value.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) out.add(m[1]);
  } else if (Array.isArray(value)) {
    value.forEach((v) => envRefs(v, out));
  } else if (value && typeof value === 'object') {
    Object.values(value).forEach((v) => envRefs(v, out));
  }
}

export function checkFlows(files: FlowFile[], ctx: CheckContext): string[] {
  const problems: string[] = [];
  const allIds = new Map<string, string>();
  for (const f of files) for (const n of f.nodes) if (typeof n.id === 'string') allIds.set(n.id, f.file);

  for (const { file, nodes } of files) {
    const say = (msg: string): number => problems.push(`${file}: ${msg}`);
    const ids = new Map(nodes.map((n) => [n.id as string, n]));
    const tabs = nodes.filter((n) => n.type === 'tab');
    if (tabs.length !== 1) say(`must hold exactly one tab, found ${tabs.length}`);
    const tab = tabs[0];
    // Variables the tab defines itself (its env list) are the flow's own, not the app's environment.
    const tabEnv = new Set(((tab?.env as Array<{ name: string }> | undefined) || []).map((e) => e.name));
    if (tab) {
      const env = (tab.env as Array<{ name: string; value: string }> | undefined) || [];
      const version = env.find((e) => e.name === 'FLOW_VERSION')?.value;
      if (!version || !/^\d+\.\d+\.\d+$/.test(String(version))) say('tab env FLOW_VERSION must be a semantic version such as 1.0.0');
      const info = String(tab.info || '');
      if (!/##\s*Changelog/i.test(info)) say('tab info needs a "## Changelog" section');
      else if (version && !info.includes(String(version))) say(`changelog has no entry for version ${version}`);
    }
    const typeLabel = (n: Record<string, unknown>): string | undefined => {
      try {
        const l = (ctx.editorDefs?.get(String(n.type)) as { label?: unknown } | undefined)?.label;
        return typeof l === 'function' ? String(l.call(n)) : typeof l === 'string' ? l : undefined;
      } catch {
        return undefined;
      }
    };
    const boxesByTab = new Map<string, ReturnType<typeof nodeBox>[]>();
    for (const n of nodes) {
      const box = nodeBox(n, typeLabel);
      if (box) boxesByTab.set(String(n.z), [...(boxesByTab.get(String(n.z)) || []), box]);
    }
    for (const boxes of boxesByTab.values()) {
      for (const [a, b] of overlaps(boxes.filter((b) => !!b) as NonNullable<ReturnType<typeof nodeBox>>[])) {
        say(`nodes ${a.id} "${a.label}" (${a.x},${a.y}) and ${b.id} "${b.label}" (${b.x},${b.y}) overlap in the editor`);
      }
    }
    for (const n of nodes) {
      const where = `node ${n.id} (${n.type})`;
      if (typeof n.id !== 'string' || typeof n.type !== 'string') {
        say(`a node without id or type: ${JSON.stringify(n).slice(0, 80)}`);
        continue;
      }
      if (RENAMED_TYPES[n.type]) say(`${where}: old type name, now ${RENAMED_TYPES[n.type]} (node-red-iot-migrate-flows rewrites saved flows)`);
      else if (!['tab', 'group'].includes(n.type) && !n.type.startsWith('subflow') && !ctx.knownTypes.has(n.type)) say(`${where}: unknown node type`);
      if (n.z !== undefined && n.z !== '' && !ids.has(n.z as string)) say(`${where}: its tab ${n.z} is not in the file`);
      if ('credentials' in n) say(`${where}: holds credentials; they belong in the credentials file or the environment`);
      for (const [k, v] of Object.entries(n)) {
        if (SECRET_KEYS.test(k) && typeof v === 'string' && v !== '' && !/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(v)) {
          say(`${where}: property "${k}" holds a literal value; use a credential or \${ENV}`);
        }
        // (mqtt-broker's own `broker` is its host name, not a reference)
        if (
          CONFIG_REFS.includes(k) &&
          !(n.type === 'mqtt-broker' && k === 'broker') &&
          typeof v === 'string' &&
          v !== '' &&
          !v.startsWith('${') &&
          !ids.has(v)
        ) {
          say(`${where}: ${k} refers to config node ${v}, which is not in the file`);
        }
      }
      const editorDef = ctx.editorDeferred?.has(file) ? undefined : ctx.editorDefs?.get(n.type);
      if (editorDef) for (const p of editorProblems(n, editorDef)) say(`${where}: ${p}`);
      const wires = (n.wires as string[][] | undefined) || [];
      wires.flat().forEach((target) => {
        if (!ids.has(target)) say(`${where}: wired to ${target}, which is not in the file`);
      });
      if (/^link (in|out|call)$/.test(n.type)) {
        const links = (n.links as string[] | undefined) || [];
        if (n.type === 'link out' && n.mode === 'return') continue;
        if (links.length === 0) say(`${where}: link node with no links`);
        for (const l of links) {
          const other = allIds.get(l);
          if (!other) say(`${where}: links to ${l}, which no flow file defines`);
        }
      }
      const refs = new Set<string>();
      envRefs(n, refs);
      for (const r of refs)
        if (!BUILTIN_ENV.has(r) && !ctx.documentedEnv.has(r) && !tabEnv.has(r)) say(`${where}: uses \${${r}}, which neither the README nor docs/ document`);
      if (n.type === 'inject' || n.type === 'change') {
        // typed inputs of type env: { vt: 'env', v: 'NAME' } / props[].vt
        for (const p of (n.props as Array<Record<string, string>> | undefined) || []) {
          if (p.vt === 'env' && !ctx.documentedEnv.has(p.v)) say(`${where}: reads env ${p.v}, which the README does not document`);
        }
      }
    }
  }
  return problems;
}

/** Variables named in backticks in the first column of the README's tables. */
export function documentedEnvFromReadme(readme: string): Set<string> {
  const out = new Set<string>();
  for (const line of readme.split('\n')) {
    if (!line.startsWith('|')) continue;
    const first = line.split('|')[1] || '';
    for (const m of first.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) out.add(m[1]);
  }
  return out;
}

// ---- Loading the shipped files, and the command line ----

const ROOT = path.resolve(__dirname, '..', '..');

function typesFromSources(dir: string, into: Set<string>): void {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) typesFromSources(p, into);
    else if (/\.(js|html)$/.test(entry.name)) {
      for (const m of fs.readFileSync(p, 'utf8').matchAll(/registerType\(\s*["']([^"']+)["']/g)) into.add(m[1]);
    }
  }
}

/** Node types of Node-RED's core nodes, of this package, and of Dashboard 2.0. */
export function knownTypes(): Set<string> {
  const types = new Set<string>();
  const core = path.dirname(require.resolve('@node-red/nodes/package.json'));
  typesFromSources(path.join(core, 'core'), types);
  const own = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  Object.keys(own['node-red'].nodes).forEach((t) => types.add(t));
  typesFromSources(path.join(ROOT, 'nodes'), types);
  const dash = JSON.parse(fs.readFileSync(require.resolve('@flowfuse/node-red-dashboard/package.json'), 'utf8'));
  Object.keys(dash['node-red'].nodes).forEach((t) => types.add(t));
  return types;
}

export function loadFlowFiles(dirs = ['flows', 'dashboards']): FlowFile[] {
  const files: FlowFile[] = [];
  for (const d of dirs) {
    const dir = path.join(ROOT, d);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const file = path.join(d, name);
      try {
        files.push({ file, nodes: JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) });
      } catch (err) {
        files.push({ file, nodes: [{ id: '?', type: `unparseable: ${(err as Error).message}` }] });
      }
    }
  }
  return files;
}

/**
 * Flow files whose editor problems are printed as warnings, not failures, while
 * another branch changes them (e.g. 'flows/event-bridge.json'). Empty: every
 * shipped file is checked.
 */
export const EDITOR_CHECK_DEFERRED = new Set<string>();

/** Variables documented in the tables of the README and of docs/*.md (docs/scale-out.md has the scale-out ones). */
export function documentedEnv(): Set<string> {
  const docs = fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => fs.readFileSync(path.join(ROOT, 'docs', f), 'utf8'));
  return documentedEnvFromReadme([fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'), ...docs].join('\n'));
}

export function runCheck(deferred = EDITOR_CHECK_DEFERRED): string[] {
  return checkFlows(loadFlowFiles(), {
    knownTypes: knownTypes(),
    documentedEnv: documentedEnv(),
    editorDefs: editorDefs(path.join(ROOT, 'nodes')),
    editorDeferred: deferred,
  });
}

if (require.main === module) {
  const files = loadFlowFiles();
  const problems = runCheck();
  const later = runCheck(new Set()).filter((p) => !problems.includes(p));
  for (const file of EDITOR_CHECK_DEFERRED) {
    const mine = later.filter((p) => p.startsWith(`${file}:`));
    if (mine.length) console.warn(`! ${file}: ${mine.length} editor problems deferred, e.g. ${mine[0].slice(file.length + 2)}`);
  }
  for (const p of problems) console.error(`✗ ${p}`);
  console.log(`${files.length} flow files checked, ${problems.length} problems`);
  process.exit(problems.length ? 1 : 0);
}
