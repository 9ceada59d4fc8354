/**
 * `npm run check:flows`: every flow file in flows/ and dashboards/ is versioned,
 * uses only known node types, resolves its config nodes and links, holds no
 * credentials, and uses only documented environment variables.
 */
import fs from 'fs';
import path from 'path';
import { checkFlows, documentedEnvFromReadme, FlowFile } from './flow-check';
import { editorDefs } from './editor-defs';

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
    for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
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
  const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => fs.readFileSync(path.join(ROOT, 'docs', f), 'utf8'));
  return documentedEnvFromReadme([fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'), ...docs].join('\n'));
}

export function runCheck(deferred = EDITOR_CHECK_DEFERRED): string[] {
  return checkFlows(loadFlowFiles(), {
    knownTypes: knownTypes(), documentedEnv: documentedEnv(),
    editorDefs: editorDefs(path.join(ROOT, 'nodes')), editorDeferred: deferred,
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
