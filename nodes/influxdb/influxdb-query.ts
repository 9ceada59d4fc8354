/**
 * influxdb-query: dashboard queries (raw range, aggregated windows, latest
 * value per device, metrics per device). Glue only; see queries.ts.
 */
import { nodeKit } from '../common/node-kit';
import type { NodeAPI, NodeDef, NodeInstance } from '../common/red';
import { status } from '../common/status';
import { blankEnvRef } from '../common/env';
import { InfluxConfigHandle, QUERY_DEFAULTS } from './config';
import { buildRequest } from './queries';
import { chartPoints } from './query-results';
import { runQuery } from './query-run';
import { registerHealthRoutes } from '../common/health-plugin';
import { translator } from '../common/i18n';
import { editorDefaultsSetting } from '../common/editor-defaults';

/** Message properties that may override the node's settings. */
const OVERRIDES = ['mode', 'measurement', 'deviceId', 'metric', 'start', 'stop', 'interval', 'fn', 'fns', 'limit'] as const;

export = function (RED: NodeAPI) {
  registerHealthRoutes(RED);
  const tr = translator(RED, __dirname, 'influxdb-query');
  RED.nodes.registerType(
    'influxdb-query',
    function (this: NodeInstance, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const node = this;
      const kit = nodeKit(node, 'influxdb-query');
      const configNode = RED.nodes.getNode(String(def.influx ?? '')) as InfluxConfigHandle | null;
      const D = QUERY_DEFAULTS;
      const defaults: Record<string, unknown> = {
        mode: def.mode || D.mode,
        measurement: blankEnvRef(def.measurement),
        deviceId: blankEnvRef(def.deviceId),
        metric: blankEnvRef(def.metric),
        start: def.start || D.start,
        stop: def.stop || D.stop,
        interval: def.interval || D.interval,
        fn: def.fn || D.fn,
        limit: def.limit || D.limit,
      };
      const timeoutMs = Number(def.timeoutMs) > 0 ? Number(def.timeoutMs) : D.timeoutMs;

      node.on('input', (msg, send, done) => {
        const run = async (): Promise<void> => {
          const influx = configNode?.influx;
          if (!influx) throw new Error(configNode?.configError || tr('influxdb-query.errors.noConfig'));
          const input: Record<string, unknown> = { ...defaults };
          const p = msg.payload;
          const sources = [typeof p === 'object' && p !== null && !Array.isArray(p) ? (p as Record<string, unknown>) : {}, msg as Record<string, unknown>];
          for (const src of sources) {
            for (const k of OVERRIDES) if (src[k] !== undefined && src[k] !== '') input[k] = src[k];
            if (src.range !== undefined) input.start = src.range;
          }
          const req = buildRequest(input);
          const { query, rows } = await runQuery({ ...influx, ...configNode.resolvedCredentials(), timeoutMs }, req);
          msg.payload = chartPoints(req, rows);
          msg.rows = rows;
          msg.query = query;
          node.status(status.ok(tr('influxdb-query.status.rows', { rows: rows.length, mode: req.mode })));
          send(msg);
        };
        run().then(
          () => done(),
          (err) => kit.fail(done, err),
        );
      });
    },
    {
      settings: editorDefaultsSetting('influxdb-query', QUERY_DEFAULTS),
    },
  );
};
