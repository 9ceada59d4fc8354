/**
 * threshold-alert: Node-RED glue around the pure AlertEngine (engine.ts).
 * Input: a Reading, a batch of them (the normalizer's output 3) or a control message.
 * Output 1: alert transitions; output 2: readings (or the batch) with msg.verdicts.
 * State lives in <DATA_DIR>/alerts/<node id>.json (store.ts).
 */
import path from 'path';
import { errorMessage, ValidationError } from '../common/errors';
import { metrics } from '../common/metrics';
import { nodeKit, toError } from '../common/node-kit';
import { dataDir, DoneFn, NodeAPI, NodeDef, NodeInstance, NodeMessage, SendFn } from '../common/red';
import { status } from '../common/status';
import { Transition, transitionMessage } from './alert-record';
import { parseConfig, ThresholdAlertConfig } from './config';
import { AlertEngine, Bound, Dirty } from './engine';
import { classify } from './messages';
import { validateRules } from './rules';
import { PacedOutput } from './paced-output';
import { AlertStore, StoredState } from './store';
import { registerHealthRoutes } from '../common/health-plugin';
import { translator } from '../common/i18n';

/** Transitions handed to the flow per event-loop turn (see paced-output.ts). */
const BURST = 100;

export = function (RED: NodeAPI) {
  registerHealthRoutes(RED);
  const tr = translator(RED, __dirname, 'threshold-alert');
  RED.nodes.registerType('threshold-alert', function (this: NodeInstance, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const kit = nodeKit(node, 'threshold-alert');
    const parsed = kit.parse(() => parseConfig(def), { log: (m) => `threshold-alert: ${m}` });
    if (!parsed) return;
    const cfg: ThresholdAlertConfig = parsed;

    const dropped: Record<Bound, number> = { historyLimit: 0, maxDevices: 0, maxAlerts: 0 };
    const engine = new AlertEngine(cfg.rules, {
      historyLimit: cfg.historyLimit,
      maxDevices: cfg.maxDevices,
      maxAlerts: cfg.maxAlerts,
      onDrop: (bound, n) => {
        if (dropped[bound] === 0 && bound !== 'historyLimit') node.warn(`threshold-alert: ${bound} (${cfg[bound]}) reached; what it drops is counted (iot_bound_dropped_total)`);
        dropped[bound] += n;
        metrics.boundDropped.inc({ node: 'threshold-alert', bound }, n);
        // Health shows the figure within a second, without a refresh per dropped reading.
        dropRefresh ??= setTimeout(() => { dropRefresh = undefined; refresh(); }, 1000);
      },
    });
    let dropRefresh: NodeJS.Timeout | undefined;
    engine.armed = cfg.armed;
    let override: StoredState['override'];
    let storeError: string | undefined;
    const file = path.join(dataDir(RED), 'alerts', `${node.id}.json`);
    const store = new AlertStore(file, () => ({ ...engine.snapshot(), savedAt: 0, override }), {
      onError: (err) => {
        if (storeError === undefined) node.warn(`threshold-alert: cannot save ${file}: ${err.message}`);
        storeError = err.message;
        refresh();
      },
      onSaved: () => {
        if (storeError !== undefined) { storeError = undefined; refresh(); }
      },
    });

    // Transitions found while loading are sent on the first tick, once the flow is running.
    let queued: Transition[] = [];
    try {
      const saved = store.load();
      if (saved) {
        if (saved.override && saved.override.configHash === cfg.rulesHash) {
          engine.setRules(validateRules(saved.override.rules));
          override = saved.override;
        }
        queued = engine.restore(saved);
      }
    } catch (err) {
      node.warn(`threshold-alert: ${errorMessage(err)}`);
    }

    kit.gauge(metrics.alertsActive, () => engine.counts().bySeverity);
    function refresh(): void {
      const n = engine.counts();
      const armed = engine.armed ? ' · armed' : '';
      const text = `${n.firing} firing, ${n.acknowledged} acked${n.pending ? `, ${n.pending} pending` : ''}${armed}`;
      const shown = tr('threshold-alert.status.counts', { firing: n.firing, acked: n.acknowledged })
        + (n.pending ? tr('threshold-alert.status.pending', { pending: n.pending }) : '') + (engine.armed ? tr('threshold-alert.status.armed') : '');
      node.status(storeError ? status.degraded(tr('threshold-alert.status.notSaved', { error: storeError })) : status.ok(shown));
      kit.health(storeError === undefined, storeError ? `state not saved: ${storeError}` : text, {
        rules: engine.rules.length, pending: n.pending, firing: n.firing, acknowledged: n.acknowledged, devices: n.devices,
        dropped_historyLimit: dropped.historyLimit, dropped_maxDevices: dropped.maxDevices, dropped_maxAlerts: dropped.maxAlerts,
      });
    }

    /** Counts, status and saving after anything the engine did. */
    function after(transitions: Transition[]): NodeMessage[] {
      for (const t of transitions) if (t.event === 'fired') metrics.alertsFired.inc({ severity: t.alert.severity });
      const dirty = engine.takeDirty();
      if (dirty !== Dirty.None) store.schedule(dirty === Dirty.Urgent);
      if (transitions.length || dirty === Dirty.Urgent) refresh();
      return transitions.map(transitionMessage);
    }

    const output = new PacedOutput<NodeMessage>(BURST, (batch) => node.send([batch, null]));

    const timer = setInterval(() => {
      try {
        const out = after([...queued, ...engine.tick()]);
        queued = [];
        output.push(out);
      } catch (err) {
        node.error(`threshold-alert: timer check failed: ${errorMessage(err)}`);
      }
    }, cfg.tickSeconds * 1000);
    refresh();

    node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
      try {
        const input = classify(msg);
        if (input.kind === 'reading') {
          const { transitions, verdicts } = engine.evaluate(input.reading);
          msg.verdicts = verdicts;
          const out = after(transitions);
          // Behind a storm still going out, a reading's transitions wait their turn (order kept).
          if (output.waiting) { output.push(out); send([null, msg]); } else send([out.length ? out : null, msg]);
        } else if (input.kind === 'readings') {
          const transitions: Transition[] = [];
          const verdicts = input.readings.map((r) => {
            const res = engine.evaluate(r);
            for (const t of res.transitions) transitions.push(t);
            return res.verdicts;
          });
          msg.verdicts = verdicts;
          // Through the paced output: one batch can start a storm.
          output.push(after(transitions));
          send([null, msg]);
          if (input.invalid.length) {
            const more = input.invalid.length > 3 ? ` (and ${input.invalid.length - 3} more)` : '';
            done(new ValidationError(`${input.invalid.length} of ${input.invalid.length + input.readings.length} items are not Readings: ${input.invalid.slice(0, 3).join('; ')}${more}`, 'payload'));
            return;
          }
        } else if (input.kind === 'rules') {
          const out = after(engine.setRules(input.rules));
          override = { configHash: cfg.rulesHash, rules: input.rules };
          store.schedule(true);
          output.push(out);
        } else if (input.kind === 'action') {
          output.push(after([engine.act(input.req)]));
        } else if (input.kind === 'list') {
          msg.payload = engine.list();
          send([msg, null]);
        } else {
          engine.setArmed(input.armed);
          after([]);
        }
        done();
      } catch (err) {
        done(toError(err));
      }
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      clearInterval(timer);
      if (dropRefresh) clearTimeout(dropRefresh);
      output.clear();
      kit.clearHealth();
      // The file stays even when the node is deleted: undo + deploy brings its alerts back.
      void store.flush().then(() => done());
    });
  });
};
