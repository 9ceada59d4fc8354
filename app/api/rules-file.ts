/**
 * Rules a threshold-alert node runs with: the dialog's, unless a `rules`
 * message replaced them (kept in its state file, <DATA_DIR>/alerts/<id>.json,
 * while the dialog's rules hash is unchanged). The file is saved a moment after
 * the change, so rules replaced through the API are also remembered here.
 */
import fs from 'fs';
import path from 'path';

const recent = new Map<string, { configHash: string; rules: unknown[] }>();

export function rememberOverride(nodeId: string, configHash: string, rules: unknown[]): void {
  recent.set(nodeId, { configHash, rules });
}

export function loadOverride(dataDir: string, nodeId: string, configHash: string): unknown[] | undefined {
  const mem = recent.get(nodeId);
  if (mem && mem.configHash === configHash) return mem.rules;
  try {
    const state = JSON.parse(fs.readFileSync(path.join(dataDir, 'alerts', `${nodeId}.json`), 'utf8')) as {
      override?: { configHash?: string; rules?: unknown[] };
    };
    if (state.override?.configHash === configHash && Array.isArray(state.override.rules)) return state.override.rules;
  } catch {
    // No file yet, or unreadable: the node itself reports that; the dialog's rules apply.
  }
  return undefined;
}
