/**
 * activity-classifier: accelerometer Readings (one, or a batch in a payload
 * array) -> activity Readings (stationary / walking / running) and `fall`
 * events per device. Output 1: the input passed on with the derived Readings
 * added (appended to a batch; after a single Reading, one message each).
 * Output 2: the derived Readings alone, one batch per input that gave any.
 * Glue only: the work is in derive.ts and ../common/activity-classifier.ts.
 */
import { errorMessage, ValidationError } from '../common/errors';
import { translator } from '../common/i18n';
import { registerHealthRoutes } from '../common/health-plugin';
import { nodeKit } from '../common/node-kit';
import type { DoneFn, NodeAPI, NodeDef, NodeInstance, NodeMessage, SendFn } from '../common/red';
import { isReading } from '../common/reading-guard';
import { status } from '../common/status';
import { copyReading } from '../payload-normalizer/batches';
import type { Reading } from '../common/types';
import { parseConfig, DEFAULTS } from './config';
import { ActivityDeriver } from './derive';
import { editorDefaultsSetting } from '../common/editor-defaults';

export = function (RED: NodeAPI) {
  registerHealthRoutes(RED);
  const tr = translator(RED, __dirname, 'activity');
  RED.nodes.registerType(
    'activity-classifier',
    function (this: NodeInstance, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const node = this;
      const kit = nodeKit(node, 'activity-classifier');
      const deriver = kit.parse(() => new ActivityDeriver(parseConfig(def)), {
        statusText: (m) => tr('activity-classifier.status.config', { error: m }),
        log: (m) => `activity-classifier config: ${m}`,
        health: { kind: 'activity-classifier' },
      });
      if (!deriver) return;

      let timer: NodeJS.Timeout | undefined;
      const refresh = (): void => {
        timer = undefined;
        const c = deriver.counts;
        const text = tr('activity-classifier.status.counts', { devices: deriver.devices, falls: c.falls });
        node.status(status.ok(text));
        kit.health(true, text, { ...c, devices: deriver.devices, dropped_maxDevices: deriver.dropped });
      };
      refresh();

      node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
        try {
          const p = msg.payload;
          const derived: Reading[] = [];
          const invalid: string[] = [];
          const items = Array.isArray(p) ? p : [p];
          items.forEach((r, i) => {
            const at = Array.isArray(p) ? `payload[${i}]` : 'payload';
            if (!isReading(r)) {
              invalid.push(tr('activity-classifier.errors.notReading', { at }));
              return;
            }
            try {
              for (const d of deriver.push(r)) derived.push(d);
            } catch (err) {
              invalid.push(`${at}: ${errorMessage(err)}`);
            }
          });
          if (timer === undefined) timer = setTimeout(refresh, 1000);
          const batch = derived.length ? { topic: 'activity', payload: derived.map(copyReading), count: derived.length } : null;
          if (Array.isArray(p)) {
            if (derived.length) {
              p.push(...derived);
              if (typeof msg.count === 'number') msg.count = p.length;
            }
            send([msg, batch]);
          } else if (invalid.length === 0) {
            send([[msg, ...derived.map((d) => ({ topic: msg.topic, payload: d }))], batch]);
          }
          if (invalid.length) {
            const more = invalid.length > 3 ? tr('activity-classifier.errors.more', { n: invalid.length - 3 }) : '';
            done(
              new ValidationError(
                tr('activity-classifier.errors.refused', { n: invalid.length, total: items.length, list: invalid.slice(0, 3).join('; '), more }),
                'payload',
              ),
            );
          } else done();
        } catch (err) {
          kit.fail(done, err);
        }
      });

      node.on('close', (_removed: boolean, done: () => void) => {
        // The kit clears the node's health entry on close.
        if (timer !== undefined) clearTimeout(timer);
        done();
      });
    },
    {
      settings: editorDefaultsSetting('activity-classifier', DEFAULTS),
    },
  );
};
