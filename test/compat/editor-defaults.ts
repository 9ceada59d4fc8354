/**
 * What the editor of a running Node-RED gets as our dialogs' defaults: every
 * node type's `<type>Defaults` in GET /settings (exported by registerType),
 * equal to the runtime's DEFAULTS, and the dialogs run against those settings
 * offer the runtime's default alert rules.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { DEFAULT_RULES } from '../../nodes/threshold-alert/rules';
import { editorDefs, editorSettings } from '../../scripts/editor-defs';
import { REPO_ROOT } from '../support/red';

export async function checkEditorDefaults(base: string, headers: Record<string, string> = {}): Promise<void> {
  const res = await fetch(`${base}/settings`, { headers: { Accept: 'application/json', ...headers } });
  assert.equal(res.status, 200, 'GET /settings');
  const served = (await res.json()) as Record<string, unknown>;
  for (const [name, value] of Object.entries(editorSettings())) assert.deepEqual(served[name], value, `RED.settings.${name} as the editor gets it`);
  const rules = editorDefs(path.join(REPO_ROOT, 'nodes'), served).get('threshold-alert')?.defaults.rules?.value;
  assert.deepEqual(JSON.parse(String(rules)), JSON.parse(JSON.stringify(DEFAULT_RULES)), 'a new threshold-alert starts with the runtime rules');
}
