/**
 * influxdb-writer: Readings -> InfluxDB in batches, spooled to disk while the
 * database is away. Glue only: line-protocol.ts, writer-engine.ts, spool.ts.
 */
import path from 'path';
import { ackLedger } from '../common/ack-ledger';
import { errorMessage } from '../common/errors';
import { metrics } from '../common/metrics';
import { nodeKit, toError } from '../common/node-kit';
import { dataDir, NodeAPI, NodeDef, NodeInstance, NodeMessage } from '../common/red';
import { status } from '../common/status';
import type { Reading } from '../common/types';
import { InfluxConfigHandle, parseWriterConfig, writeTarget, WRITER_DEFAULTS } from './config';
import { writeBatch } from './http-write';
import { LineError, lineEncoder } from './line-protocol';
import { Spool } from './spool';
import { ENGINE_DEFAULTS, WriterEngine } from './writer-engine';
import { writerHealth, writerStatus } from './writer-status';
import { registerHealthRoutes } from '../common/health-plugin';
import { translator } from '../common/i18n';
import { editorDefaultsSetting } from '../common/editor-defaults';

export = function (RED: NodeAPI) {
  registerHealthRoutes(RED);
  const tr = translator(RED, __dirname, 'influxdb-writer');
  RED.nodes.registerType(
    'influxdb-writer',
    function (this: NodeInstance, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const node = this;
      const kit = nodeKit(node, 'influxdb-writer');
      const cfg = kit.parse(() => parseWriterConfig(def));
      if (!cfg) return;
      const configNode = RED.nodes.getNode(String(def.influx ?? '')) as InfluxConfigHandle | null;
      const influx = configNode?.influx;
      const configured = !!influx?.url;
      const target = influx && configured ? writeTarget(influx, configNode.resolvedCredentials(), cfg) : undefined;
      let spool: Spool;
      try {
        spool = new Spool({ dir: path.join(dataDir(RED), 'spool', node.id), maxBytes: cfg.spoolMaxMB * 1024 * 1024 });
      } catch (err) {
        kit.rejectInputs(new Error(tr('influxdb-writer.errors.spool', { dir: dataDir(RED), error: errorMessage(err) })));
        return;
      }
      const encode = lineEncoder({ measurement: cfg.measurement });
      let invalid = 0;

      const sendError = (payload: Record<string, unknown>): void => {
        node.send([null, { topic: 'influxdb/error', payload }]);
      };
      const engine = new WriterEngine({
        ...ENGINE_DEFAULTS,
        batchSize: cfg.batchSize,
        flushMs: cfg.flushMs,
        maxBatchBytes: cfg.maxBatchBytes,
        post: target ? (body, signal) => writeBatch(target, body, signal) : undefined,
        spool,
        // Durable acknowledgement: an input's message is acknowledged once its points are written or spooled.
        hold: (key) => ackLedger.hold(key),
        release: (key) => ackLedger.release(key),
        onWritten: (n) => {
          metrics.pointsWritten.inc(n);
          node.send([{ topic: 'influxdb/written', payload: { written: n } }, null]);
        },
        onSpooled: (n) => metrics.pointsSpooled.inc(n),
        onSpoolError: (n) => metrics.pointsDropped.inc({ reason: 'spool_error' }, n),
        onRejected: (r) => {
          metrics.pointsDropped.inc({ reason: 'rejected' }, r.lines.length);
          sendError({ reason: 'rejected', statusCode: r.status, error: r.message, lines: r.lines });
        },
      });

      let lastWritten = 0;
      let lastTick = Date.now();
      let lastSpoolDropped = 0;
      kit.gauge(metrics.writerQueue, () => engine.state().queued);
      kit.gauge(metrics.writerSpool, () => spool.points);
      const tick = (): void => {
        const state = engine.state();
        const now = Date.now();
        const rate = ((state.written - lastWritten) * 1000) / Math.max(1, now - lastTick);
        [lastWritten, lastTick] = [state.written, now];
        if (spool.dropped > lastSpoolDropped) metrics.pointsDropped.inc({ reason: 'spool_full' }, spool.dropped - lastSpoolDropped);
        lastSpoolDropped = spool.dropped;
        const dropped = state.spoolDropped + state.rejected + invalid;
        const view = { state, rate, configured, dropped };
        node.status(configNode?.configError ? status.failed(configNode.configError) : writerStatus(view, tr));
        const health = writerHealth(view);
        kit.health(health.ok, health.detail, { queued: state.queued, spooled: state.spooled, dropped, configured: configured ? 1 : 0 });
      };
      const statusTimer = setInterval(tick, 1000);
      tick();

      const addReading = (r: unknown, msg: NodeMessage): void => {
        try {
          engine.add(encode(r as Reading), msg._msgid);
        } catch (err) {
          if (!(err instanceof LineError)) throw err;
          invalid++;
          metrics.pointsDropped.inc({ reason: 'invalid' });
          sendError({ reason: 'invalid', error: err.message, reading: r, topic: msg.topic });
        }
      };

      node.on('input', (msg, _send, done) => {
        try {
          const p = msg.payload;
          if (typeof p === 'string') {
            // Line protocol written as is (one line per row), for data that is not a Reading.
            for (const line of p.split('\n')) if (line.trim() !== '') engine.add(line.trim(), msg._msgid);
          } else if (Array.isArray(p)) {
            for (const r of p) addReading(r, msg);
          } else {
            addReading(p, msg);
          }
          done();
        } catch (err) {
          done(toError(err));
        }
      });

      node.on('close', (_removed, done) => {
        clearInterval(statusTimer);
        engine
          .close(Math.min(5000, cfg.timeoutMs))
          .catch((err) => node.warn(`influxdb-writer close: ${errorMessage(err)}`))
          .finally(() => {
            kit.clearHealth();
            done();
          });
      });
    },
    {
      settings: editorDefaultsSetting('influxdb-writer', WRITER_DEFAULTS),
    },
  );
};
