/**
 * What dashboards/dashboard.json holds: pages, groups, and the flow nodes with
 * their positions and wires. build.js turns this into the Node-RED export.
 */
'use strict';

const VERSION = '1.6.0';
const CHANGELOG = [
  `- 1.6.0: Devices page: a Commands group (and a Commands button per device row) sends a relay ON/OFF (Tasmota, Shelly, Shelly Gen2, ESPHome, Zigbee2MQTT) or the seeds' set_interval to a device through the HTTP API (POST /api/devices/{id}/commands, the login's role checked, audited), and lists the device's recent commands with their status as it changes (GET /api/devices/{id}/commands, read once a second). Scale-out. With REDIS_URL the fleet state shares its devices through Redis (global context \`iotFleetShare\`, docs/scale-out.md): at each tick it offers the devices it got readings for and adopts those the other instances wrote, so every instance's Overview and \`GET /api/devices\` show the whole fleet. Readings never wait for Redis. The fleet state keeps only the newest Reading per metric of each device until its tick (older ones are garbage at once, not kept for up to a second).`,
  `- 1.5.0: Availability. A device with an availability topic (Zigbee2MQTT availability, Tasmota LWT, ESPHome and Shelly status: the normalizer's \`availability\` Readings) is offline on the Overview when it last said offline, and online when it said online or sent data since; OFFLINE_AFTER_S silence counts only for devices without one. Tiles carry \`avail\` / \`availAt\`. Device registry (docs/registry.md). Devices page (/dashboard/devices): every registered or seen device with its name, location, type and owner, edited in place and saved through the HTTP API (PUT /api/devices/{id}/registry), import of a CSV or JSON file (POST /api/registry/import, with the problems per row) and export. Tiles show the device's name and location (the id when it has none); active alerts, the alert history and the critical pop-up show them too. They are read from global context \`iotRegistry\` (the app's registry), and a registry change resends tiles and alerts.`,
  `- 1.4.0: Roles. With logins on (docs/security.md), the Alerts and Cameras pages ask the app who is logged in (\`/api/me\`): the login name is who acts, and a viewer gets disabled buttons and a read-only note; the app also refuses a viewer's control arriving through the socket. Servo and record requests carry the socket (\`_client\`) so the app checks and records who sent them. The System page has an Audit group: every ack, resolve, arm, rule change and command with who, when and from where (\`/api/audit\`). Rules page (/dashboard/rules): the alert rules in force as a table that operators edit and save; it reads and saves them through the HTTP API (GET and PUT /api/rules), which validates them with the runtime's rules module, keeps them across restarts and records who saved them.`,
  `- 1.3.0: Readings arrive in batches (telemetry 1.5.0's \`reading-batches-out\`: the normalizer's output 3, every 250 ms) straight into the fleet state function, which merges a batch in one call; the change node *latest per device* and the flow context inbox are gone. Import with telemetry 1.5.0. A device silent for DASHBOARD_FORGET_AFTER_H hours (default 168) is forgotten until it reports again (counted in the summary).`,
  `- 1.2.0: fleet scale. The fleet state keeps a bounded device map (DASHBOARD_MAX_DEVICES, default 10000; readings of further devices are dropped, counted and shown) and updates one entry per reading without sending anything; a one-second tick sends a snapshot only when something changed, with at most DASHBOARD_MAX_TILES tiles (default 200, offline first) and counts of the whole fleet. The throttle node is gone, and so is the second wire from the readings link (the History page reads live points from the fleet state). Alert state is updated in place per transition and sent at most once a second (active alerts bounded by DASHBOARD_MAX_ALERTS, default 200; history 500), critical alerts of one second in one notification. The System page lists what every bound dropped (health figures dropped_<bound>, iot_bound_dropped_total).`,
  `- 1.1.0: System page shows warnings (such as "no database configured: spooling") apart from failures.`,
  `- 1.0.0: first version: Overview, History, Alerts, Cameras and System pages (Dashboard 2.0).`,
].join('\n');

const TAB = {
  id: 'dashboard-tab',
  label: 'Dashboard',
  info: [
    'Operators\' dashboard (FlowFuse Dashboard 2.0) at `/dashboard`: Overview (a tile per device),',
    'History (InfluxDB, aggregated), Alerts (acknowledge / resolve, history, notification of new critical',
    'alerts), Rules, Devices (the device registry: names, locations, import), Cameras (recordings, record now, servo)',
    'and System (health, rates, errors and the audit record of the app). Tiles and alerts show the names and locations',
    'of global context `iotRegistry` (the app\'s device registry, docs/registry.md).',
    '',
    'Wiring to the other flows (link nodes): readings come in batches on `readings-in-dashboard`; alert transitions',
    'on `alerts-in-dashboard`; ack / resolve / list requests go out on `alert-control-out`; record-now on',
    '`camera-control-out`; servo commands on `servo-control-out`, their status back on',
    '`servo-status-in-dashboard`; errors from other flows on `errors-in-dashboard`.',
    '',
    'Sources: the Vue templates and function bodies are in `dashboards/src/`; `node dashboards/src/build.js`',
    'rebuilds this file. Environment (process or tab env): `OFFLINE_AFTER_S` (a device is offline after this',
    'many silent seconds, default 120; a device with an availability topic is offline when it says so), `SERVO_DEVICES` (comma-separated servo device ids offered on the',
    'Cameras page, default raspberry-01), `DASHBOARD_MAX_DEVICES` (devices tracked, default 10000; readings of',
    'further devices are dropped and counted), `DASHBOARD_MAX_TILES` (tiles sent to the Overview, default 200:',
    'offline first, then by id), `DASHBOARD_MAX_ALERTS` (active alerts listed, default 200),',
    '`DASHBOARD_FORGET_AFTER_H` (a device silent this many hours is forgotten until it reports again, default 168).',
    '',
    'Cost: a batch of readings (every 250 ms) updates one entry of the fleet map per reading and sends',
    'nothing; an inject ticks every second and the fleet and alert functions send what changed since the last',
    'tick, so browsers get at most one update a second whatever the message rate. Keep the readings link in',
    'to one wire: each extra wire deep-clones every batch.',
  ].join('\n'),
  env: [
    { name: 'FLOW_VERSION', value: VERSION, type: 'str' },
  ],
};

const pages = [
  { id: 'ui-page-overview', name: 'Overview', path: '/overview', icon: 'view-dashboard' },
  { id: 'ui-page-history', name: 'History', path: '/history', icon: 'chart-line' },
  { id: 'ui-page-alerts', name: 'Alerts', path: '/alerts', icon: 'bell-alert' },
  { id: 'ui-page-rules', name: 'Rules', path: '/rules', icon: 'tune-vertical' },
  { id: 'ui-page-devices', name: 'Devices', path: '/devices', icon: 'format-list-bulleted' },
  { id: 'ui-page-cameras', name: 'Cameras', path: '/cameras', icon: 'cctv' },
  { id: 'ui-page-system', name: 'System', path: '/system', icon: 'heart-pulse' },
];

const groups = [
  { id: 'grp-overview-devices', name: 'Devices', page: 'ui-page-overview', width: 12, order: 1 },
  { id: 'grp-history-controls', name: 'Series', page: 'ui-page-history', width: 12, order: 1 },
  { id: 'grp-history-chart', name: 'Chart', page: 'ui-page-history', width: 12, order: 2 },
  { id: 'grp-alerts-active', name: 'Active alerts', page: 'ui-page-alerts', width: 12, order: 1 },
  { id: 'grp-alerts-history', name: 'History', page: 'ui-page-alerts', width: 12, order: 2 },
  { id: 'grp-rules', name: 'Alert rules', page: 'ui-page-rules', width: 12, order: 1 },
  { id: 'grp-devices', name: 'Device registry', page: 'ui-page-devices', width: 12, order: 1 },
  { id: 'grp-device-commands', name: 'Commands', page: 'ui-page-devices', width: 12, order: 2 },
  { id: 'grp-cameras-recordings', name: 'Recordings', page: 'ui-page-cameras', width: 8, order: 1 },
  { id: 'grp-cameras-servo', name: 'Servo', page: 'ui-page-cameras', width: 4, order: 2 },
  { id: 'grp-system-status', name: 'Health', page: 'ui-page-system', width: 12, order: 1 },
  { id: 'grp-system-errors', name: 'Recent errors', page: 'ui-page-system', width: 12, order: 2 },
  { id: 'grp-system-audit', name: 'Audit', page: 'ui-page-system', width: 12, order: 3 },
];

const fn = (id, name, src, g, x, y, wires, outputs) => ({ id, type: 'function', name, src, g, x, y, wires, outputs: outputs || wires.length });
const tpl = (id, name, src, group, g, x, y, wires, order) => ({ id, type: 'ui-template', name, src, group, g, x, y, wires: wires || [[]], order: order || 1, width: 0, height: 0 });
const inject = (id, name, g, x, y, wires, opts) => ({
  id, type: 'inject', name, g, x, y, wires,
  props: { props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }], repeat: opts.repeat || '', crontab: '', once: true, onceDelay: opts.delay || '1', topic: opts.topic || '', payload: '', payloadType: 'date' },
});

const list = [
  // Overview: batches of live readings -> bounded fleet map; a snapshot per second when something changed -> tiles (and the History catalog)
  { id: 'readings-in-dashboard', type: 'link in', name: 'readings', links: ['reading-batches-out'], g: 'g-overview', x: 150, y: 100, wires: [['fn-device-state']] },
  inject('inject-dashboard-tick', 'every second', 'g-overview', 160, 160, [['fn-device-state', 'fn-alerts-state']], { repeat: '1', delay: '1', topic: 'tick' }),
  fn('fn-device-state', 'fleet state', 'device-state.js', 'g-overview', 370, 100, [['tpl-overview'], ['fn-history']]),
  tpl('tpl-overview', 'device tiles', 'overview.vue', 'grp-overview-devices', 'g-overview', 800, 100, [['fn-history']]),
  { id: 'tpl-site-style', type: 'ui-template', name: 'site style', src: 'site.css', scope: 'site:style', ui: 'ui-base-iot', g: 'g-overview', x: 800, y: 160, wires: [[]] },

  // History: selector -> InfluxDB query -> chart; live points decimated
  fn('fn-history', 'history', 'history.js', 'g-history', 370, 300, [['influx-history-query'], ['chart-history'], ['tpl-history-controls']]),
  {
    id: 'influx-history-query', type: 'influxdb-query', name: 'history query', g: 'g-history', x: 590, y: 260, wires: [['fn-history']],
    props: { influx: 'influxdb-default', mode: 'aggregate', measurement: '', deviceId: '', metric: '', start: '-24h', stop: '', interval: '5m', fn: 'mean', limit: 1000, timeoutMs: 10000, configVersion: 1 },
  },
  {
    id: 'chart-history', type: 'ui-chart', name: 'history chart', g: 'g-history', x: 800, y: 300, wires: [[]],
    props: {
      group: 'grp-history-chart', label: '', order: 1, chartType: 'line', category: 'topic', categoryType: 'msg',
      xAxisLabel: '', xAxisProperty: 'x', xAxisPropertyType: 'property', xAxisType: 'time', xAxisFormat: '', xAxisFormatType: 'auto',
      xmin: '', xmax: '', yAxisLabel: '', yAxisProperty: 'y', yAxisPropertyType: 'property', ymin: '', ymax: '', bins: 10,
      action: 'append', stackSeries: false, pointShape: 'false', pointRadius: 2, showLegend: true,
      removeOlder: '0', removeOlderUnit: '86400', removeOlderPoints: '500',
      colors: ['#0d74ce', '#c62828', '#ef6c00', '#2e7d32', '#6a1b9a', '#00838f', '#ad1457', '#5d4037', '#546e7a'],
      textColor: ['#666666'], textColorDefault: true, gridColor: ['#e5e5e5'], gridColorDefault: true,
      width: '12', height: '8', className: '', interpolation: 'linear',
    },
  },
  tpl('tpl-history-controls', 'series selector', 'history-controls.vue', 'grp-history-controls', 'g-history', 800, 360, [['fn-history']]),
  { id: 'catch-history-query', type: 'catch', name: 'query failed', g: 'g-history', x: 160, y: 340, wires: [['fn-history']], props: { scope: ['influx-history-query'], uncaught: false } },

  // Alerts
  { id: 'alerts-in-dashboard', type: 'link in', name: 'alerts', links: ['alerts-out'], g: 'g-alerts', x: 150, y: 480, wires: [['fn-alerts-state']] },
  fn('fn-alerts-state', 'alert state', 'alerts-state.js', 'g-alerts', 370, 480, [['tpl-alerts-active'], ['tpl-alerts-history'], ['notify-critical']]),
  tpl('tpl-alerts-active', 'active alerts', 'alerts-active.vue', 'grp-alerts-active', 'g-alerts', 600, 440, [['fn-alert-control']]),
  tpl('tpl-alerts-history', 'alert history', 'alerts-history.vue', 'grp-alerts-history', 'g-alerts', 600, 480),
  {
    id: 'notify-critical', type: 'ui-notification', name: 'critical alert', g: 'g-alerts', x: 610, y: 520, wires: [[]],
    props: { ui: 'ui-base-iot', position: 'top right', colorDefault: false, color: '#c62828', displayTime: '15', showCountdown: true, outputs: 1, allowDismiss: true, dismissText: 'Close', allowConfirm: false, confirmText: 'Confirm', raw: true, className: '' },
  },
  fn('fn-alert-control', 'check ack / resolve', 'alert-control.js', 'g-alerts', 820, 440, [['alert-control-out']]),
  inject('inject-alerts-list', 'list alerts every 30 s', 'g-alerts', 180, 560, [['alert-control-out']], { repeat: '30', delay: '2', topic: 'list' }),
  { id: 'alert-control-out', type: 'link out', name: 'to threshold-alert', links: ['alert-control-in'], g: 'g-alerts', x: 1000, y: 480 },

  // Cameras and servo
  tpl('tpl-cameras', 'recordings', 'cameras.vue', 'grp-cameras-recordings', 'g-cameras', 170, 660, [['fn-camera-control']]),
  fn('fn-camera-control', 'record now', 'camera-control.js', 'g-cameras', 400, 660, [['camera-control-out'], ['tpl-cameras']]),
  { id: 'camera-control-out', type: 'link out', name: 'to camera-recorder', links: ['camera-control-in'], g: 'g-cameras', x: 620, y: 640 },
  tpl('tpl-servo', 'servo panel', 'servo.vue', 'grp-cameras-servo', 'g-cameras', 170, 760, [['fn-servo-control']]),
  fn('fn-servo-control', 'servo request', 'servo-control.js', 'g-cameras', 400, 760, [['servo-control-out'], ['fn-servo-status']]),
  { id: 'servo-control-out', type: 'link out', name: 'to servo-command', links: ['servo-control-in'], g: 'g-cameras', x: 620, y: 740 },
  { id: 'servo-status-in-dashboard', type: 'link in', name: 'servo status', links: ['servo-status-out'], g: 'g-cameras', x: 420, y: 840, wires: [['fn-servo-status']] },
  inject('inject-servo-init', 'servo devices', 'g-cameras', 430, 880, [['fn-servo-status']], { topic: 'init', delay: '1' }),
  fn('fn-servo-status', 'command status', 'servo-status.js', 'g-cameras', 640, 820, [['tpl-servo']]),

  // System
  inject('inject-health', 'every 3 s', 'g-system', 160, 960, [['fn-health-url']], { repeat: '3', delay: '1' }),
  fn('fn-health-url', '/health/ready URL', 'health-url.js', 'g-system', 350, 960, [['http-health']]),
  {
    id: 'http-health', type: 'http request', name: 'GET health', g: 'g-system', x: 550, y: 960, wires: [['fn-system-state']],
    props: { method: 'GET', ret: 'obj', paytoqs: 'ignore', url: '', tls: '', persist: false, proxy: '', insecureHTTPParser: false, authType: '', senderr: false, headers: [] },
  },
  fn('fn-system-state', 'figures and rates', 'system-state.js', 'g-system', 750, 960, [['tpl-system']]),
  tpl('tpl-system', 'health', 'system.vue', 'grp-system-status', 'g-system', 960, 960),
  { id: 'catch-dashboard', type: 'catch', name: 'dashboard errors', g: 'g-system', x: 170, y: 1040, wires: [['fn-errors']], props: { scope: null, uncaught: false } },
  { id: 'errors-in-dashboard', type: 'link in', name: 'errors from other flows', links: ['errors-out-telemetry', 'errors-out-storage', 'errors-out-alerts', 'errors-out-surveillance'], g: 'g-system', x: 170, y: 1090, wires: [['fn-errors']] },
  fn('fn-errors', 'recent errors', 'errors.js', 'g-system', 400, 1060, [['tpl-errors']]),
  tpl('tpl-errors', 'error list', 'errors.vue', 'grp-system-errors', 'g-system', 610, 1060),
  tpl('tpl-audit', 'audit record', 'audit.vue', 'grp-system-audit', 'g-system', 610, 1120),

  // Rules: the page reads and saves the rules through the HTTP API (/api/rules) from the browser; no wires
  tpl('tpl-rules', 'alert rules table', 'rules.vue', 'grp-rules', 'g-rules', 180, 1200),

  // Devices: the registry, read and changed through the HTTP API (/api/registry, /api/devices/{id}/registry) from the browser; no wires
  tpl('tpl-devices', 'device registry', 'devices.vue', 'grp-devices', 'g-devices', 180, 1300),
  // Commands to a device (relay on/off, set_interval) and their status, through the HTTP API (/api/devices/{id}/commands); no wires
  tpl('tpl-device-commands', 'device commands', 'device-commands.vue', 'grp-device-commands', 'g-devices', 180, 1360),
];

const editorGroups = {
  'g-overview': { name: 'Overview: live fleet state', fill: '#e3f3d3' },
  'g-history': { name: 'History: InfluxDB series + live points', fill: '#dbecf9' },
  'g-alerts': { name: 'Alerts: list, acknowledge, resolve, notify', fill: '#ffefbf' },
  'g-cameras': { name: 'Cameras: recordings, record now, servo', fill: '#f3e5f5' },
  'g-system': { name: 'System: health, rates, errors', fill: '#eceff1' },
  'g-rules': { name: 'Rules: edited through the HTTP API (GET / PUT /api/rules)', fill: '#fde0dc' },
  'g-devices': { name: 'Devices: the registry, through the HTTP API (/api/registry)', fill: '#e0f2f1' },
};

module.exports = { VERSION, CHANGELOG, TAB, pages, groups, nodes: { list, editorGroups } };
