/** The activity-classifier node's settings (config.ts): defaults, dialog strings, bad fields named; the dialog's defaults. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { DEFAULTS, parseConfig } from '../../nodes/activity/config';
import { editorDefs } from '../../scripts/editor-defs';
import { REPO_ROOT } from '../support/red';

test('settings: defaults, numbers from the dialog as strings, bad fields named', () => {
  const cfg = parseConfig({});
  assert.deepEqual(cfg.sensorTypes, ['activity']);
  assert.equal(cfg.emitSeconds, 10);
  assert.equal(cfg.walkStd, 1);
  assert.equal(parseConfig({ walkStd: '0.5', sensorTypes: 'activity, imu' }).walkStd, 0.5);
  assert.deepEqual(parseConfig({ sensorTypes: '' }).sensorTypes, []);
  assert.throws(() => parseConfig({ walkStd: 'abc' }), /walkStd must be a number/);
  assert.throws(() => parseConfig({ runStd: 0.5 }), /runStd must be above walkStd/);
  assert.throws(() => parseConfig({ outputType: 'activity' }), /outputType must not be one of sensorTypes/);
  assert.throws(() => parseConfig({ emitSeconds: -1 }), /emitSeconds/);
});

test('the dialog defaults are the runtime DEFAULTS', () => {
  const def = editorDefs(path.join(REPO_ROOT, 'nodes')).get('activity-classifier');
  assert.ok(def, 'activity-classifier has an editor definition');
  for (const [k, v] of Object.entries(DEFAULTS)) assert.equal(String(def.defaults[k]?.value), String(v), k);
  const html = fs.readFileSync(path.join(REPO_ROOT, 'nodes', 'activity', 'locales', 'en-US', 'activity.html'), 'utf8');
  for (const s of ['<h3>Inputs</h3>', '<h3>Outputs</h3>', '<h3>Details</h3>']) assert.ok(html.includes(s), s);
});
