#!/usr/bin/env node
/**
 * Builds dashboards/dashboard.json (a Node-RED export) from the Vue templates
 * and function bodies beside this file, so they can be edited and reviewed as
 * code. `node dashboards/src/build.js` writes it; `--check` fails when the
 * JSON is not up to date with the sources.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { VERSION, CHANGELOG, pages, groups, nodes, TAB } = require('./layout');

const here = __dirname;
const out = path.join(here, '..', 'dashboard.json');
const read = (dir, name) => fs.readFileSync(path.join(here, dir, name), 'utf8').trimEnd() + '\n';

const BREAKPOINTS = [
  { name: 'Default', px: '0', cols: '3' },
  { name: 'Tablet', px: '576', cols: '6' },
  { name: 'Small Desktop', px: '768', cols: '9' },
  { name: 'Desktop', px: '1024', cols: '12' },
];

function configNodes() {
  const list = [
    {
      id: 'ui-base-iot', type: 'ui-base', name: 'IoT dashboard', path: '/dashboard', appIcon: '',
      includeClientData: true, acceptsClientConfig: ['ui-notification', 'ui-control'], showPathInSidebar: false,
      headerContent: 'page', navigationStyle: 'icon', titleBarStyle: 'default',
      showReconnectNotification: true, notificationDisplayTime: 5, showDisconnectNotification: true, allowInstall: false,
    },
    {
      id: 'ui-theme-iot', type: 'ui-theme', name: 'IoT theme',
      colors: { surface: '#1f3a5f', primary: '#0d74ce', bgPage: '#f2f4f7', groupBg: '#ffffff', groupOutline: '#d9d9e0' },
      sizes: { density: 'default', pagePadding: '12px', groupGap: '12px', groupBorderRadius: '6px', widgetGap: '12px' },
    },
  ];
  // A copy of flows/storage.json's InfluxDB config, so this file imports on its own (the app keeps one).
  list.push({
    id: 'influxdb-default', type: 'iot-influxdb-config', name: 'InfluxDB (INFLUX_URL)', version: '${INFLUX_VERSION}', url: '${INFLUX_URL}',
    database: '${INFLUX_DB}', retentionPolicy: '', org: '${INFLUX_ORG}', bucket: '${INFLUX_BUCKET}', configVersion: 1,
  });
  pages.forEach((p, i) => list.push({
    id: p.id, type: 'ui-page', name: p.name, ui: 'ui-base-iot', path: p.path, icon: p.icon, layout: 'grid',
    theme: 'ui-theme-iot', breakpoints: BREAKPOINTS, order: i + 1, className: '', visible: 'true', disabled: 'false',
  }));
  groups.forEach((g) => list.push({
    id: g.id, type: 'ui-group', name: g.name, page: g.page, width: String(g.width), height: '1', order: g.order,
    showTitle: true, className: '', visible: 'true', disabled: 'false', groupType: 'default',
  }));
  return list;
}

function expand(n) {
  const base = { id: n.id, type: n.type, z: TAB.id, g: n.g, name: n.name || '' };
  const wires = n.wires || [];
  switch (n.type) {
    case 'function': {
      const func = read('functions', n.src);
      return { ...base, func, outputs: n.outputs || 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], x: n.x, y: n.y, wires };
    }
    case 'ui-template': {
      const t = { ...base, group: n.group || '', page: n.page || '', ui: n.ui || '', order: n.order || 0, width: String(n.width ?? 0), height: String(n.height ?? 0),
        head: '', format: read('templates', n.src), storeOutMessages: false, passthru: false, resendOnRefresh: true,
        templateScope: n.scope || 'local', className: '', x: n.x, y: n.y, wires };
      return t;
    }
    case 'link in':
      return { ...base, links: n.links, x: n.x, y: n.y, l: true, wires };
    case 'link out':
      return { ...base, mode: 'link', links: n.links, x: n.x, y: n.y, l: true, wires: [] };
    default:
      return { ...base, ...n.props, x: n.x, y: n.y, wires };
  }
}

/** Editor groups (boxes around each page's nodes), computed from node positions. */
function editorGroups(list) {
  const boxes = [];
  for (const [gid, meta] of Object.entries(nodes.editorGroups)) {
    const members = list.filter((n) => n.g === gid);
    const xs = members.map((n) => n.x), ys = members.map((n) => n.y);
    const x = Math.min(...xs) - 110, y = Math.min(...ys) - 40;
    boxes.push({
      id: gid, type: 'group', z: TAB.id, name: meta.name, style: { label: true, fill: meta.fill, 'fill-opacity': '0.3' },
      nodes: members.map((n) => n.id), x, y, w: Math.max(...xs) - x + 130, h: Math.max(...ys) - y + 30,
    });
  }
  return boxes;
}

function build() {
  const flowNodes = nodes.list.map(expand);
  const tab = { id: TAB.id, type: 'tab', label: TAB.label, disabled: false, info: TAB.info + '\n\n## Changelog\n' + CHANGELOG, env: TAB.env };
  return [tab, ...editorGroups(flowNodes), ...flowNodes, ...configNodes()];
}

const json = JSON.stringify(build(), null, 2) + '\n';
if (process.argv.includes('--check')) {
  const current = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
  if (current !== json) {
    console.error('dashboards/dashboard.json is out of date: run node dashboards/src/build.js');
    process.exit(1);
  }
  console.log('dashboards/dashboard.json is up to date');
} else {
  fs.writeFileSync(out, json);
  console.log(`wrote ${path.relative(process.cwd(), out)} (version ${VERSION}, ${JSON.parse(json).length} nodes)`);
}
