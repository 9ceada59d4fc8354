/**
 * payload-normalizer: any seed payload and topic layout -> Reading on output 1;
 * rejects -> output 2 with msg.error {code, message} (and done(err) for Catch nodes
 * when catchRejects is on). Glue only: the work is in normalizer.ts.
 */
import { errorMessage } from '../common/errors';
import { clearHealth, reportHealth } from '../common/health';
import type { DoneFn, NodeAPI, NodeDef, NodeInstance, NodeMessage, SendFn } from '../common/red';
import { status } from '../common/status';
import { parseConfig } from './config';
import { NormalizeError, Normalizer } from './normalizer';
import { NormalizerStats } from './stats';
import { registerHealthRoutes } from '../common/health-plugin';

export = function (RED: NodeAPI) {
  registerHealthRoutes(RED);
  RED.nodes.registerType('payload-normalizer', function (this: NodeInstance, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    let normalizer: Normalizer | undefined;
    let configError: Error | undefined;
    try {
      normalizer = new Normalizer(parseConfig(def));
    } catch (err) {
      configError = err instanceof Error ? err : new Error(errorMessage(err));
      node.status(status.failed(`config: ${configError.message}`));
      node.error(`payload-normalizer config: ${configError.message}`);
      reportHealth(node.id, { kind: 'payload-normalizer', ok: false, detail: `config: ${configError.message}` });
    }
    const catchRejects = normalizer?.options.catchRejects ?? true;
    const stats = new NormalizerStats(normalizer?.bounds);

    let timer: NodeJS.Timeout | undefined;
    const tick = (): void => {
      timer = undefined;
      stats.flush();
      const text = stats.text();
      node.status(stats.recentRejects > 0 ? status.degraded(`${text} (${stats.lastReject})`) : status.ok(text));
      stats.recentRejects = 0;
      reportHealth(node.id, { kind: 'payload-normalizer', ok: true, detail: text, figures: stats.figures() });
    };

    node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
      if (normalizer === undefined) {
        done(configError);
        return;
      }
      try {
        // An MQTT sensor-input gives the first arrival time, kept across a redelivery (its receipts.ts).
        const out = normalizer.normalize(msg.topic, msg.payload, typeof msg.received === 'number' ? msg.received : undefined);
        stats.record(out);
        if (timer === undefined) timer = setTimeout(tick, 1000);
        if (out.kind === 'reading') {
          msg.payload = out.reading;
          send([msg, null]);
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
        done(err instanceof Error ? err : new Error(errorMessage(err)));
      }
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      stats.flush();
      clearHealth(node.id);
      done();
    });
  });
};
