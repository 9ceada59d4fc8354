/**
 * Builds the runtime flow file from the versioned files in flows/ and dashboards/.
 *
 * Each source file is a Node-RED export (an array of nodes) with one tab whose
 * `env` holds FLOW_VERSION. The merged file is rewritten only when a source
 * version differs from the one last merged, so edits made in the editor survive
 * restarts; the previous file is kept as flows.json.bak.
 */
import fs from 'fs';
import path from 'path';
import { migrateFlow } from '../nodes/common/type-migrations';

export interface FlowNode {
  id: string;
  type: string;
  z?: string;
  env?: Array<{ name: string; value: string; type?: string }>;
  [key: string]: unknown;
}

export interface FlowSource {
  file: string;
  version: string;
  nodes: FlowNode[];
}

/** FLOW_VERSION of the file's first tab, or '0' when it has none. */
export function flowVersion(nodes: FlowNode[]): string {
  const tab = nodes.find((n) => n.type === 'tab');
  const v = tab?.env?.find((e) => e.name === 'FLOW_VERSION');
  return v ? String(v.value) : '0';
}

export function readFlowSources(dirs: string[]): FlowSource[] {
  const out: FlowSource[] = [];
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const name of fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const file = path.join(dir, name);
      let nodes: unknown;
      try {
        nodes = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (err) {
        throw new Error(`flow file ${file} is not valid JSON: ${(err as Error).message}`);
      }
      if (!Array.isArray(nodes)) throw new Error(`flow file ${file} must hold an array of nodes`);
      out.push({ file, version: flowVersion(nodes as FlowNode[]), nodes: nodes as FlowNode[] });
    }
  }
  return out;
}

/** Concatenates sources; a config node shared by several files (same id) is kept once. */
export function mergeFlows(sources: FlowSource[]): FlowNode[] {
  const seen = new Set<string>();
  const merged: FlowNode[] = [];
  for (const src of sources) {
    for (const node of src.nodes) {
      if (seen.has(node.id)) {
        if (node.z) throw new Error(`node id ${node.id} appears twice (second time in ${src.file})`);
        continue;
      }
      seen.add(node.id);
      merged.push(node);
    }
  }
  return merged;
}

export interface InstallResult {
  written: boolean;
  flowFile: string;
  versions: Record<string, string>;
  /** Config nodes of a kept flow file renamed to their current type (see type-migrations.ts). */
  migrated: string[];
}

/** Renames old config node types in a kept flow file, keeping the previous file as flows.json.bak. */
export function migrateFlowFile(flowFile: string): string[] {
  const nodes = JSON.parse(fs.readFileSync(flowFile, 'utf8')) as FlowNode[];
  if (!Array.isArray(nodes)) return [];
  const { nodes: out, renamed } = migrateFlow(nodes);
  if (renamed.length) {
    fs.copyFileSync(flowFile, `${flowFile}.bak`);
    fs.writeFileSync(flowFile, JSON.stringify(out, null, 2));
  }
  return renamed;
}

/** Writes `<userDir>/flows.json` when it is missing or a source version changed. */
export function installFlows(userDir: string, dirs: string[]): InstallResult {
  const sources = readFlowSources(dirs);
  const versions: Record<string, string> = {};
  for (const s of sources) versions[path.basename(s.file)] = s.version;
  const flowFile = path.join(userDir, 'flows.json');
  const manifestFile = path.join(userDir, '.flows-manifest.json');
  let previous: Record<string, string> | undefined;
  try {
    previous = JSON.parse(fs.readFileSync(manifestFile, 'utf8')).versions;
  } catch {
    previous = undefined;
  }
  const same = previous !== undefined && JSON.stringify(previous) === JSON.stringify(versions);
  if (same && fs.existsSync(flowFile)) return { written: false, flowFile, versions, migrated: migrateFlowFile(flowFile) };
  fs.mkdirSync(userDir, { recursive: true });
  if (fs.existsSync(flowFile)) fs.copyFileSync(flowFile, `${flowFile}.bak`);
  fs.writeFileSync(flowFile, JSON.stringify(mergeFlows(sources), null, 2));
  fs.writeFileSync(manifestFile, JSON.stringify({ versions, mergedAt: new Date().toISOString() }, null, 2));
  return { written: true, flowFile, versions, migrated: [] };
}
