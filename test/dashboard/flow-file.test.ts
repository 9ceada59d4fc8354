/**
 * dashboards/dashboard.json: built from its sources, one versioned tab, every
 * widget on an existing group/page, link ids as the other flows expect them.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/red';
import { dashboardNodes } from './flow-functions';

test('dashboard.json is up to date with dashboards/src', () => {
  const out = execFileSync(process.execPath, [path.join(REPO_ROOT, 'dashboards', 'src', 'build.js'), '--check'], { encoding: 'utf8' });
  assert.match(out, /up to date/);
});

test('one versioned tab with a changelog; every flow node on it', () => {
  const nodes = dashboardNodes();
  const tabs = nodes.filter((n) => n.type === 'tab');
  assert.equal(tabs.length, 1);
  const env = tabs[0].env as Array<{ name: string; value: string }>;
  const version = env.find((e) => e.name === 'FLOW_VERSION')?.value;
  assert.match(String(version), /^\d+\.\d+\.\d+$/);
  assert.match(String(tabs[0].info), new RegExp(`## Changelog[\\s\\S]*${version!.replace(/\./g, '\\.')}`));
  const config = new Set(['ui-base', 'ui-theme', 'ui-page', 'ui-group', 'iot-influxdb-config']);
  for (const n of nodes) {
    if (n.type === 'tab') continue;
    if (config.has(n.type)) assert.equal(n.z, undefined, `${n.id} is a config node`);
    else assert.equal(n.z, tabs[0].id, `${n.id} is on the tab`);
  }
  const ids = new Set(nodes.map((n) => n.id));
  assert.equal(ids.size, nodes.length, 'ids are unique');
  for (const n of nodes) for (const w of ((n.wires as string[][]) || []).flat()) assert.ok(ids.has(w), `${n.id} -> ${w}`);
});

test('seven pages under /dashboard, widgets on existing groups', () => {
  const nodes = dashboardNodes();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const pages = nodes.filter((n) => n.type === 'ui-page').map((n) => n.path);
  assert.deepEqual(pages, ['/overview', '/history', '/alerts', '/rules', '/devices', '/cameras', '/system']);
  for (const n of nodes.filter((x) => x.type === 'ui-group')) assert.equal(byId.get(n.page as string)?.type, 'ui-page', `${n.id} page`);
  for (const n of nodes.filter((x) => ['ui-template', 'ui-chart'].includes(x.type) && x.group)) {
    assert.equal(byId.get(n.group as string)?.type, 'ui-group', `${n.id} group`);
  }
  const chart = byId.get('chart-history')!;
  assert.ok(Number(chart.removeOlderPoints) > 0 && Number(chart.removeOlderPoints) <= 500, 'the chart caps its points');
});

test('link ids of the cross-flow contract', () => {
  const nodes = dashboardNodes();
  const links = Object.fromEntries(nodes.filter((n) => n.type.startsWith('link ')).map((n) => [n.id, [n.type, n.links]]));
  assert.deepEqual(links['readings-in-dashboard'], ['link in', ['reading-batches-out']]);
  assert.deepEqual(links['alerts-in-dashboard'], ['link in', ['alerts-out']]);
  assert.deepEqual(links['alert-control-out'], ['link out', ['alert-control-in']]);
  assert.deepEqual(links['camera-control-out'], ['link out', ['camera-control-in']]);
  assert.deepEqual(links['servo-control-out'], ['link out', ['servo-control-in']]);
  assert.deepEqual(links['servo-status-in-dashboard'], ['link in', ['servo-status-out']]);
});

test('the InfluxDB config copy matches flows/storage.json (the app keeps the first one it merges)', (t) => {
  const storageFile = path.join(REPO_ROOT, 'flows', 'storage.json');
  if (!fs.existsSync(storageFile)) return t.skip('flows/storage.json not present');
  const theirs = (JSON.parse(fs.readFileSync(storageFile, 'utf8')) as Array<Record<string, unknown>>).find((n) => n.id === 'influxdb-default');
  const ours = dashboardNodes().find((n) => n.id === 'influxdb-default');
  assert.ok(ours, 'dashboard.json carries influxdb-default');
  assert.deepEqual(ours, theirs);
  assert.equal(dashboardNodes().find((n) => n.id === 'influx-history-query')?.influx, 'influxdb-default');
});
