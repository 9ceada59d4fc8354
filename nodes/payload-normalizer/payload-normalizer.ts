/**
 * payload-normalizer: any seed payload and topic layout -> Reading on output 1;
 * rejects -> output 2 with msg.error {code, message} (and done(err) for Catch nodes
 * when catchRejects is on); when wired, output 3 carries the same Readings in
 * batches and output 4 each Reading with an event (batches.ts). Glue only: the
 * work is in normalizer.ts.
 */
import { registerHealthRoutes } from '../common/health-plugin';
import { translator } from '../common/i18n';
import { nodeKit, toError } from '../common/node-kit';
import type { DoneFn, NodeAPI, NodeDef, NodeInstance, NodeMessage, SendFn } from '../common/red';
import { status } from '../common/status';
import type { Reading } from '../common/types';
import { ackLedger } from '../common/ack-ledger';
import { runtimeHooks } from '../common/ack-hooks';
import { installBatchCopy, markBatch } from '../common/batch-copy';
import { AckedBatches } from './acked-batches';
import { Batches, copyReading } from './batches';
import { parseConfig, DEFAULTS } from './config';
import { NormalizeError, Normalizer, type UserProperties } from './normalizer';
import { NormalizerStats } from './stats';
import { editorDefaultsSetting } from '../common/editor-defaults';

export = function (RED: NodeAPI) {
  registerHealthRoutes(RED);
  // Batches fanning out to several wires are copied as plain data (common/batch-copy.ts).
  installBatchCopy(runtimeHooks(RED));
  const tr = translator(RED, __dirname, 'payload-normalizer');
  RED.nodes.registerType(
    'payload-normalizer',
    function (this: NodeInstance, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const node = this;
      const kit = nodeKit(node, 'payload-normalizer');
      const normalizer = kit.parse(() => new Normalizer(parseConfig(def)), {
        statusText: (m) => tr('payload-normalizer.status.config', { error: m }),
        log: (m) => `payload-normalizer config: ${m}`,
        health: { kind: 'payload-normalizer' },
      });
      if (!normalizer) return;
      const catchRejects = normalizer.options.catchRejects;
      const stats = new NormalizerStats(normalizer.bounds, normalizer.discovery);
      // Outputs 3 and 4 cost nothing unless something is wired to them.
      const wired = (i: number): boolean => ((def as { wires?: unknown[][] }).wires?.[i]?.length ?? 0) > 0;
      const batchOpts = normalizer.options.batches;
      const batches =
        batchOpts && batchOpts.intervalMs > 0 && wired(2)
          ? new Batches<Reading>(batchOpts.intervalMs, batchOpts.max, (readings) =>
              node.send([null, null, markBatch({ topic: 'readings', payload: readings, count: readings.length })]),
            )
          : undefined;
      const events = wired(3);
      const out1 = normalizer.options.readingBatches;
      const readingBatches =
        out1.intervalMs > 0
          ? new AckedBatches(
              ackLedger,
              out1.intervalMs,
              out1.max,
              (m) => node.send([markBatch(m)]),
              () => RED.util.generateId(),
            )
          : undefined;

      let timer: NodeJS.Timeout | undefined;
      const tick = (): void => {
        timer = undefined;
        stats.flush();
        const text = stats.text(tr);
        node.status(stats.recentRejects > 0 ? status.degraded(`${text} (${stats.lastReject})`) : status.ok(text));
        stats.recentRejects = 0;
        kit.health(true, text, stats.figures());
      };

      node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
        try {
          // An MQTT sensor-input gives the first arrival time, kept across a redelivery (its receipts.ts).
          // MQTT 5 user properties (mqtt in and sensor-input put them in msg.userProperties): device and availability.
          const props = msg.userProperties !== null && typeof msg.userProperties === 'object' ? (msg.userProperties as UserProperties) : undefined;
          const out = normalizer.normalize(msg.topic, msg.payload, typeof msg.received === 'number' ? msg.received : undefined, props);
          stats.record(out);
          if (timer === undefined) timer = setTimeout(tick, 1000);
          if (out.kind === 'reading') {
            batches?.push(copyReading(out.reading));
            if (readingBatches) {
              readingBatches.push(out.reading, msg._msgid);
            } else {
              msg.payload = out.reading;
              send([msg, null]);
            }
            // A send of its own: the first message of a send is not cloned.
            if (events && out.reading.event) node.send([null, null, null, { topic: msg.topic, payload: copyReading(out.reading) }]);
            done();
          } else if (out.kind === 'reject') {
            msg.error = { code: out.code, message: out.message };
            msg.reason = out.code;
            send([null, msg]);
            if (catchRejects) done(new NormalizeError(out.code, out.message));
            else done();
          } else {
            done(); // duplicate or rate-limited: dropped and counted
          }
        } catch (err) {
          done(toError(err));
        }
      });

      node.on('close', (_removed: boolean, done: () => void) => {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        readingBatches?.flush();
        batches?.flush();
        stats.flush();
        kit.clearHealth();
        done();
      });
    },
    {
      settings: editorDefaultsSetting('payload-normalizer', DEFAULTS),
    },
  );
};
