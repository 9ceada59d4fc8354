/**
 * threshold-alert: Node-RED glue around the pure AlertEngine (engine.ts).
 * Input: a Reading, a batch of them (the normalizer's output 3) or a control message.
 * Output 1: alert transitions; output 2: readings (or the batch) with msg.verdicts
 * (a batch gets its verdicts only while output 2 is wired: nobody else reads them).
 * State lives in <DATA_DIR>/alerts/<node id>.json (store.ts); with REDIS_URL set
 * (scale-out), transitions, actions and the armed state are shared through
 * Redis (shared-gate.ts) and the file keeps this instance's view.
 */
import path from 'path';
import { errorMessage, ValidationError } from '../common/errors';
import { metrics } from '../common/metrics';
import { nodeKit, toError } from '../common/node-kit';
import { dataDir, DoneFn, NodeAPI, NodeDef, NodeInstance, NodeMessage, SendFn } from '../common/red';
import { status } from '../common/status';
import { Transition, transitionMessage } from './alert-record';
import { parseConfig, ThresholdAlertConfig, DEFAULTS } from './config';
import { AlertEngine, Bound, Dirty, type Verdict } from './engine';
import { classify } from './messages';
import { validateRules } from './rules';
import { PacedOutput } from './paced-output';
import { AlertStore, StoredState } from './store';
import { registerHealthRoutes } from '../common/health-plugin';
import { translator } from '../common/i18n';
import { acquireBackend, releaseBackend } from '../common/redis-state';
import { SharedAlerts, SharedSeen } from './shared-alerts';
import { availabilityOf } from './last-seen';
import type { Reading } from '../common/types';
import { SharedGate } from './shared-gate';
import { installId } from '../common/install-id';
import { editorDefaultsSetting } from '../common/editor-defaults';

/** Transitions handed to the flow per event-loop turn (see paced-output.ts). */
const BURST = 100;

export = function (RED: NodeAPI) {
  registerHealthRoutes(RED);
  const tr = translator(RED, __dirname, 'threshold-alert');
  RED.nodes.registerType(
    'threshold-alert',
    function (this: NodeInstance, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const node = this;
      const kit = nodeKit(node, 'threshold-alert');
      const parsed = kit.parse(() => parseConfig(def), { log: (m) => `threshold-alert: ${m}` });
      if (!parsed) return;
      const cfg: ThresholdAlertConfig = parsed;

      const dropped: Record<Bound, number> = { historyLimit: 0, maxDevices: 0, maxAlerts: 0 };
      // Scale-out: alert ids unique per instance (the install id of its data folder).
      const idSuffix = process.env.REDIS_URL ? `.${installId(dataDir(RED)) || process.pid.toString(36)}` : '';
      const engine = new AlertEngine(cfg.rules, {
        idSuffix,
        historyLimit: cfg.historyLimit,
        maxDevices: cfg.maxDevices,
        maxAlerts: cfg.maxAlerts,
        onDrop: (bound, n) => {
          if (dropped[bound] === 0 && bound !== 'historyLimit')
            node.warn(`threshold-alert: ${bound} (${cfg[bound]}) reached; what it drops is counted (iot_bound_dropped_total)`);
          dropped[bound] += n;
          metrics.boundDropped.inc({ node: 'threshold-alert', bound }, n);
          // Health shows the figure within a second, without a refresh per dropped reading.
          dropRefresh ??= setTimeout(() => {
            dropRefresh = undefined;
            refresh();
          }, 1000);
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
          if (storeError !== undefined) {
            storeError = undefined;
            refresh();
          }
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
        const shown =
          tr('threshold-alert.status.counts', { firing: n.firing, acked: n.acknowledged }) +
          (n.pending ? tr('threshold-alert.status.pending', { pending: n.pending }) : '') +
          (engine.armed ? tr('threshold-alert.status.armed') : '');
        node.status(storeError ? status.degraded(tr('threshold-alert.status.notSaved', { error: storeError })) : status.ok(shown));
        kit.health(storeError === undefined, storeError ? `state not saved: ${storeError}` : text, {
          rules: engine.rules.length,
          pending: n.pending,
          firing: n.firing,
          acknowledged: n.acknowledged,
          devices: n.devices,
          dropped_historyLimit: dropped.historyLimit,
          dropped_maxDevices: dropped.maxDevices,
          dropped_maxAlerts: dropped.maxAlerts,
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

      // Scale-out: the instance that wins a transition in Redis emits it (none when REDIS_URL is unset).
      const backend = acquireBackend();
      const shared = backend && new SharedAlerts(backend.redis, backend.prefix, node.id, cfg.historyLimit);
      const gate =
        shared &&
        new SharedGate(shared, engine, {
          emit: (ts) => {
            for (const t of ts) if (t.event === 'fired') metrics.alertsFired.inc({ severity: t.alert.severity });
            refresh();
            output.push(ts.map(transitionMessage));
          },
          warn: (text) => node.warn(`threshold-alert: ${text}`),
        });
      /** Devices heard since the last tick, shared as last-seen times. */
      const heard = new Map<string, SharedSeen>();
      const hear = (r: Reading): void => {
        // An offline announcement is not a sign of life (last-seen.ts).
        if (availabilityOf(r) !== 0) heard.set(r.deviceId, { at: Date.now(), sensorType: r.sensorType, periodic: !r.event });
      };
      const verdictsWired = ((def as { wires?: unknown[][] }).wires?.[1]?.length ?? 0) > 0;
      /** Transitions to the flow: at once, or through the shared gate. */
      const emit = (transitions: Transition[]): NodeMessage[] => {
        if (!gate) return after(transitions);
        after([]);
        gate.transitions(transitions);
        return [];
      };

      /** Scale-out: the epoch of the shared state this instance follows (shared-alerts.ts epoch()). */
      let epoch: string | undefined;
      /**
       * A new epoch: this instance's whole last-seen table goes to Redis (the lease holder judges
       * silence from it); `restore` (Redis started empty, or lost its data) puts its alerts back too,
       * so what was firing or acknowledged is neither forgotten nor fired and announced again.
       */
      const catchUp = async (restore: boolean): Promise<void> => {
        const n = restore ? await shared!.restore(engine.list().active, engine.armed) : 0;
        await shared!.pushSeen(engine.lastSeen());
        if (restore && epoch !== undefined) node.warn(`threshold-alert: Redis had lost the shared alert state; put back ${n} alerts and the last-seen times`);
      };
      let syncing = false;
      /** Scale-out: this instance holds the staleness lease (shared-alerts.ts lead()). */
      let staleLead = false;
      const timer = setInterval(() => {
        try {
          if (gate && !syncing) {
            // Before this tick's own checks: other instances' alerts, acks and last-seen times.
            syncing = true;
            const seen = [...heard];
            heard.clear();
            void shared!
              .epoch()
              .then(async (e) => {
                if (e.id !== epoch) await catchUp(e.created || epoch !== undefined);
                epoch = e.id;
              })
              .then(() =>
                Promise.all([
                  gate.sync(),
                  shared!.pushSeen(seen),
                  shared!.lead(idSuffix, Math.max(3000, cfg.tickSeconds * 3000)).then(async (v) => {
                    // The lease holder judges every device any instance heard from (the broker may send a device's readings to one instance only).
                    if (v && engine.rules.some((r) => r.kind === 'staleness')) {
                      for (const [id, e] of await shared!.fetchSeen()) engine.learnSeen(id, e.at, e.sensorType, e.periodic);
                    }
                    staleLead = v;
                  }),
                ]),
              )
              .catch(() => {
                staleLead = false;
                // Redis away: what was heard is shared on a later tick (a newer time heard meanwhile wins).
                for (const [id, e] of seen) if (!heard.has(id)) heard.set(id, e);
              })
              .finally(() => {
                syncing = false;
              });
          }
          const out = emit([...queued, ...engine.tick(!gate || staleLead)]);
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
            if (gate) hear(input.reading);
            const out = emit(transitions);
            // Behind a storm still going out, a reading's transitions wait their turn (order kept).
            if (output.waiting) {
              output.push(out);
              send([null, msg]);
            } else send([out.length ? out : null, msg]);
          } else if (input.kind === 'readings') {
            const transitions: Transition[] = [];
            // Verdicts only for someone to read them (output 2 wired): the shipped flow leaves it unwired.
            const verdicts: Verdict[][] | undefined = verdictsWired ? [] : undefined;
            for (const r of input.readings) {
              const v: Verdict[] | undefined = verdicts ? [] : undefined;
              engine.evaluateInto(r, transitions, v);
              if (v) verdicts!.push(v);
              if (gate) hear(r);
            }
            if (verdicts) msg.verdicts = verdicts;
            // Through the paced output: one batch can start a storm.
            output.push(emit(transitions));
            send([null, msg]);
            if (input.invalid.length) {
              const more = input.invalid.length > 3 ? tr('threshold-alert.errors.more', { n: input.invalid.length - 3 }) : '';
              done(
                new ValidationError(
                  tr('threshold-alert.errors.notReadings', {
                    n: input.invalid.length,
                    total: input.invalid.length + input.readings.length,
                    list: input.invalid.slice(0, 3).join('; '),
                    more,
                  }),
                  'payload',
                ),
              );
              return;
            }
          } else if (input.kind === 'rules') {
            const out = emit(engine.setRules(input.rules));
            override = { configHash: cfg.rulesHash, rules: input.rules };
            store.schedule(true);
            output.push(out);
          } else if (input.kind === 'action') {
            if (gate) {
              // Settled in Redis first: an ack on this instance and a reading on another never both win.
              gate.act(input.req).then((t) => {
                if (t) {
                  after([]);
                  refresh();
                  output.push([transitionMessage(t)]);
                }
                done();
              }, done);
              return;
            }
            output.push(after([engine.act(input.req)]));
          } else if (input.kind === 'list') {
            // Synchronous (the HTTP API reads it in the call). With REDIS_URL the engine takes
            // every instance's active alerts and acks each tick, so the list shows them.
            msg.payload = engine.list();
            send([msg, null]);
          } else {
            engine.setArmed(input.armed);
            gate?.setArmed(input.armed);
            after([]);
          }
          done();
        } catch (err) {
          done(toError(err));
        }
      });

      node.on('close', (_removed: boolean, done: () => void) => {
        clearInterval(timer);
        gate?.close();
        if (backend) void releaseBackend();
        if (dropRefresh) clearTimeout(dropRefresh);
        output.clear();
        kit.clearHealth();
        // The file stays even when the node is deleted: undo + deploy brings its alerts back.
        void store.flush().then(() => done());
      });
    },
    {
      settings: editorDefaultsSetting('threshold-alert', DEFAULTS),
    },
  );
};
