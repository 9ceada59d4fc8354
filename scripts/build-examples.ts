/**
 * Builds examples/ (Node-RED's Import > Examples folder of the package) from
 * flows/ and dashboards/ at build time, so the two never drift. Only the
 * shared config nodes change: a stock Node-RED has no launcher to set
 * MQTT_BROKER_URL, so the broker and the database point at localhost with
 * their usual ports, which a user edits once in the config node. The
 * dashboard file needs Dashboard 2.0, so its example says so in its name and
 * in a comment, and stays a separate import.
 */
import fs from 'fs';
import path from 'path';

type FlowNode = Record<string, unknown> & { id: string; type: string; z?: string };

const ROOT = path.resolve(__dirname, '..', '..');

/** Config node settings of the examples, by type; a user changes them once in the editor. */
export const EXAMPLE_CONFIG: Record<string, Record<string, unknown>> = {
  'mqtt-broker': { name: 'MQTT broker (localhost:1883)', broker: 'localhost', port: '1883' },
  'iot-influxdb-config': {
    name: 'InfluxDB 1.x (localhost:8086, database iot)',
    version: '1',
    url: 'http://localhost:8086',
    database: 'iot',
    org: 'iot',
    bucket: 'iot',
  },
  // ${SMTP_URL} and ${ALERT_EMAIL_FROM} work unset: emails are written to a folder under the user directory.
  'iot-smtp-config': { name: 'SMTP (SMTP_URL, else .eml files)' },
};

export const DASHBOARD_PACKAGE = '@flowfuse/node-red-dashboard';

const needsDashboard = (nodes: FlowNode[]): boolean => nodes.some((n) => n.type.startsWith('ui-'));

/** Put first in each example's tab description. */
export const EXAMPLE_NOTE =
  'Imported from the node-red-iot-flow-engine examples: the MQTT broker is localhost:1883 and InfluxDB localhost:8086 (database iot); ' +
  "change them once in the config nodes (Configuration nodes sidebar). Where the text below names MQTT_BROKER_URL or INFLUX_URL, that is how the package's own launcher sets them.\n\n";

/** The example made from one flow file. */
export function toExample(nodes: FlowNode[]): FlowNode[] {
  const out = nodes.map((n) => {
    if (!n.z && EXAMPLE_CONFIG[n.type]) return { ...n, ...EXAMPLE_CONFIG[n.type] };
    if (n.type === 'tab') return { ...n, info: EXAMPLE_NOTE + String(n.info || '') };
    return n;
  });
  if (needsDashboard(nodes)) {
    const tab = nodes.find((n) => n.type === 'tab');
    out.push({
      id: 'example-needs-dashboard',
      type: 'comment',
      z: tab?.id,
      x: 200,
      y: 20,
      name: `Needs ${DASHBOARD_PACKAGE} (Dashboard 2.0): install it first (Manage palette)`,
      info: `This example uses Dashboard 2.0 widgets. Install \`${DASHBOARD_PACKAGE}\` from Manage palette before importing it: without it Node-RED waits for the missing ui-* types and starts no flow at all. The other examples do not need it.`,
      wires: [],
    });
  }
  return out;
}

/** examples/<name>.json for each flow file; the dashboard's name states its dependency. */
export function exampleName(file: string, nodes: FlowNode[]): string {
  const base = path.basename(file, '.json');
  return needsDashboard(nodes) ? `${base}-needs-dashboard-2` : base;
}

export function buildExamples(root = ROOT): string[] {
  const outDir = path.join(root, 'examples');
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const dir of ['flows', 'dashboards']) {
    const src = path.join(root, dir);
    if (!fs.existsSync(src)) continue;
    for (const f of fs
      .readdirSync(src)
      .filter((x) => x.endsWith('.json'))
      .sort()) {
      const nodes = JSON.parse(fs.readFileSync(path.join(src, f), 'utf8')) as FlowNode[];
      const name = `${exampleName(f, nodes)}.json`;
      fs.writeFileSync(path.join(outDir, name), `${JSON.stringify(toExample(nodes), null, 2)}\n`);
      written.push(name);
    }
  }
  return written;
}

if (require.main === module) {
  const written = buildExamples();
  if (process.env.COPY_ASSETS_VERBOSE) console.log(`examples/: ${written.join(', ')}`);
}
