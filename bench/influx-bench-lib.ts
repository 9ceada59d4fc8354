/**
 * Pieces of the InfluxDB benchmark: the latency proxy in front of influxd and
 * the flows under test (the project's telemetry + storage flow files, and
 * the stock-node baseline).
 */
import mqtt from 'mqtt';
import { clientIdFor } from '../nodes/sensor-input/mqtt-input';
import fs from 'fs';
import http from 'http';
import path from 'path';

/**
 * HTTP proxy to influxd that, for every successful /write, records
 * (response time - line timestamp) per measurement: publish -> write latency,
 * since the publisher stamps each reading with its publish time.
 */
export class LatencyProxy {
  readonly samples = new Map<string, number[]>();
  private server: http.Server | undefined;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  port = 0;

  constructor(private readonly upstream: URL) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const up = http.request(
          {
            host: this.upstream.hostname,
            port: this.upstream.port,
            path: req.url,
            method: req.method,
            agent: this.agent,
            headers: { ...req.headers, host: this.upstream.host, 'content-length': String(body.length) },
          },
          (upRes) => {
            const out: Buffer[] = [];
            upRes.on('data', (c: Buffer) => out.push(c));
            upRes.on('end', () => {
              if (req.url?.startsWith('/write') && upRes.statusCode === 204 && !req.headers['content-encoding']) this.record(body.toString());
              res.writeHead(upRes.statusCode ?? 502, upRes.headers);
              res.end(Buffer.concat(out));
            });
          },
        );
        up.on('error', (err) => {
          res.writeHead(502);
          res.end(String(err));
        });
        up.end(body);
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  private record(body: string): void {
    const now = Date.now();
    for (const line of body.split('\n')) {
      if (!line) continue;
      const ts = Number(line.slice(line.lastIndexOf(' ') + 1));
      const m = line.slice(0, line.indexOf(','));
      let arr = this.samples.get(m);
      if (!arr) this.samples.set(m, (arr = []));
      arr.push(now - ts);
    }
  }

  percentile(measurement: string, p: number): number | undefined {
    const arr = this.samples.get(measurement);
    if (!arr || arr.length === 0) return undefined;
    const sorted = [...arr].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

type FlowNode = Record<string, unknown> & { id: string; type: string };

/**
 * The Node flags every launcher ships with (npm start, the Docker image, the
 * systemd unit; test/deploy checks they agree): a bounded V8 heap, which also
 * makes V8 size its heap conservatively. The benchmark measures the project
 * flows with these flags, and once more with plain `node`.
 */
export const SHIPPED_NODE_ARGS = '--max-old-space-size=512';

/**
 * The project's own flows: flows/telemetry.json + flows/storage.json as
 * shipped, with the MQTT subscriptions set to the run's QoS, the sensor simulator
 * off (SIMULATE_DEVICES=0) and debug nodes switched off, as in production.
 * Broker and database come from the same env variables the app uses.
 */
export function projectFlows(repoRoot: string, qos: 0 | 1, stripDebug = false): FlowNode[] {
  const read = (f: string): FlowNode[] => JSON.parse(fs.readFileSync(path.join(repoRoot, 'flows', f), 'utf8'));
  const nodes = [...read('telemetry.json'), ...read('storage.json')];
  const seen = new Set<string>();
  const unique = nodes.filter((n) => (seen.has(n.id) ? false : (seen.add(n.id), true)));
  // With stripDebug, debug nodes and the wires to them go: each extra wire costs a deep clone per message.
  const debugIds = new Set(stripDebug ? unique.filter((n) => n.type === 'debug').map((n) => n.id) : []);
  return unique
    .filter((n) => !debugIds.has(n.id))
    .map((n) => {
      const wires = Array.isArray(n.wires) ? n.wires.map((port: string[]) => port.filter((id) => !debugIds.has(id))) : n.wires;
      if (n.type === 'mqtt in' || (n.type === 'sensor-input' && n.mode === 'mqtt')) return { ...n, wires, qos: String(qos) };
      if (n.type === 'debug') return { ...n, active: false };
      return { ...n, wires };
    });
}

/** Stock nodes only: mqtt in -> json -> function -> node-red-contrib-influxdb `influxdb out`. */
export function baselineFlows(mqttUrl: string, influxPort: number, qos: 0 | 1): FlowNode[] {
  const u = new URL(mqttUrl);
  return [
    { id: 'base-tab', type: 'tab', label: 'Baseline' },
    {
      id: 'base-broker',
      type: 'mqtt-broker',
      name: 'bench',
      broker: u.hostname,
      port: u.port,
      clientid: '',
      autoConnect: true,
      usetls: false,
      protocolVersion: '4',
      keepalive: '60',
      cleansession: true,
    },
    {
      id: 'base-in',
      type: 'mqtt in',
      z: 'base-tab',
      topic: 'sensors/#',
      qos: String(qos),
      datatype: 'utf8',
      broker: 'base-broker',
      nl: false,
      rap: true,
      rh: 0,
      inputs: 0,
      wires: [['base-json']],
    },
    { id: 'base-json', type: 'json', z: 'base-tab', property: 'payload', action: '', pretty: false, wires: [['base-fn']] },
    {
      id: 'base-fn',
      type: 'function',
      z: 'base-tab',
      outputs: 1,
      wires: [['base-out']],
      func: [
        "const [, deviceId, type] = msg.topic.split('/');",
        'const p = msg.payload;',
        'msg.measurement = type;',
        "msg.precision = 'ms';",
        'msg.payload = [{ temperature: p.temperature, humidity: p.humidity, time: p.timestamp }, { deviceId }];',
        'return msg;',
      ].join('\n'),
    },
    {
      id: 'base-influx',
      type: 'influxdb',
      hostname: '127.0.0.1',
      port: String(influxPort),
      protocol: 'http',
      database: 'bench',
      name: 'bench',
      usetls: false,
      influxdbVersion: '1.x',
      url: '',
      timeout: 10,
      rejectUnauthorized: false,
    },
    {
      id: 'base-out',
      type: 'influxdb out',
      z: 'base-tab',
      influxdb: 'base-influx',
      name: '',
      measurement: '',
      precision: 'ms',
      retentionPolicy: '',
      wires: [],
    },
  ];
}

/**
 * Ends the persistent MQTT session a runtime of the shipped flows left in the
 * broker (client id from its data folder's install id): each trial starts a
 * fresh runtime, and the broker would otherwise queue every later reading of
 * the run for every runtime that came before.
 */
export async function endSession(mqttUrl: string, dataDir: string): Promise<void> {
  let install = '';
  try {
    install = fs.readFileSync(path.join(dataDir, 'install-id'), 'utf8').trim();
  } catch {
    return; // no session was made
  }
  const c = await mqtt.connectAsync(mqttUrl, { clientId: clientIdFor('', 'mqtt-in-telemetry', true, install), clean: true, reconnectPeriod: 0 });
  await c.endAsync();
}
