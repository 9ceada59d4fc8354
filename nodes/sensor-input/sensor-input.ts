/**
 * Node-RED glue of `sensor-input`: parses the settings, runs the simulator or the
 * GPIO input, and takes "start"/"stop" messages. Logic lives beside this file.
 */
import path from 'path';
import mqtt from 'mqtt';
import type { NodeAPI, NodeDef, NodeInstance, NodeMessage } from '../common/red';
import { status } from '../common/status';
import { errorMessage, ValidationError } from '../common/errors';
import { nodeKit, toError } from '../common/node-kit';
import { ackLedger } from '../common/ack-ledger';
import { runtimeHooks, useAckHooks, type Hooks } from '../common/ack-hooks';
import { installId } from '../common/install-id';
import { dataDir } from '../common/red';
import { parseConfig, EDITOR_DEFAULTS } from './config';
import { gpioOpener } from './gpio-backend';
import { brokerSource, mqttRunner } from './mqtt-input';
import { gpioRunner, simulateRunner, type Output, type Runner } from './runner';
import { registerHealthRoutes } from '../common/health-plugin';
import { translator } from '../common/i18n';
import { editorDefaultsSetting } from '../common/editor-defaults';

/** A message still open this long with no writer holding it is settled anyway (a node that never calls done). */
const MAX_OPEN_MS = 60_000;
/** How long closing waits for the flow to settle what it holds (Node-RED gives a node 15 s to close). */
const DRAIN_MS = 8_000;

export = function (RED: NodeAPI) {
  registerHealthRoutes(RED);
  const tr = translator(RED, __dirname, 'sensor-input');
  RED.nodes.registerType(
    'sensor-input',
    function (this: NodeInstance, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const node = this;
      // An MQTT input's health is its broker connection (kind mqtt-input, what /health/ready checks); the others report as sensor-input.
      const kit = nodeKit(node, def.mode === 'mqtt' ? 'mqtt-input' : 'sensor-input');
      let runner: Runner;
      let stopHooks: (() => void) | undefined;
      try {
        const cfg = parseConfig(def);
        const out: Output = {
          send: (msgs) => node.send([msgs as unknown as NodeMessage[]]),
          status: (s) => node.status(s),
          warn: (text) => node.warn(text),
          error: (text) => node.error(text),
          health: (ok, detail, figures) => kit.health(ok, detail, figures),
          t: tr,
        };
        if (cfg.mode === 'mqtt') {
          const source = brokerSource(RED.nodes.getNode(cfg.broker));
          // Durable acknowledgement needs QoS 1 and the runtime's message hooks (see common/ack-hooks.ts).
          const durable =
            cfg.ack === 'durable' && cfg.qos >= 1
              ? { ledger: ackLedger, maxOpenMs: MAX_OPEN_MS, install: installId(dataDir(RED)), receiptsDir: path.join(dataDir(RED), 'acks', node.id) }
              : undefined;
          if (durable) stopHooks = useAckHooks(runtimeHooks(RED as unknown as { hooks?: Hooks }), node.id);
          runner = mqttRunner(cfg, out, (msg) => node.send(msg as unknown as NodeMessage), source, mqtt.connect, node.id, undefined, durable);
        } else {
          runner = cfg.mode === 'simulate' ? simulateRunner(cfg, out) : gpioRunner(cfg, out, gpioOpener());
        }
        if (cfg.autoStart) runner.start();
        else node.status({ text: tr('sensor-input.status.stopped') });
      } catch (err) {
        // An MQTT input that cannot start is a broker connection that is down, for /health/ready.
        kit.rejectInputs(new ValidationError(tr('sensor-input.errors.notRunning', { error: errorMessage(err) })), {
          statusText: () => errorMessage(err),
          log: () => `sensor-input settings: ${errorMessage(err)}`,
          health: def.mode === 'mqtt' ? { kind: 'mqtt-input', detail: () => `settings: ${errorMessage(err)}` } : undefined,
        });
        return;
      }

      node.on('input', (msg, _send, done) => {
        try {
          const command = typeof msg.payload === 'string' ? msg.payload.trim().toLowerCase() : msg.payload;
          if (command === 'start' || command === true) runner.start();
          else if (command === 'stop' || command === false) runner.stop();
          else throw new ValidationError(tr('sensor-input.errors.command', { got: JSON.stringify(msg.payload) ?? 'undefined' }), 'payload');
          done();
        } catch (err) {
          done(toError(err));
        }
      });

      node.on('close', (_removed, done) => {
        // Writers flush and spool while we wait; what they make durable is acknowledged before the connection ends.
        const drained = runner.drain ? runner.drain(DRAIN_MS) : Promise.resolve();
        drained
          .catch(() => undefined)
          .finally(() => {
            try {
              runner.stop();
            } finally {
              stopHooks?.();
              kit.clearHealth();
              node.status(status.clear());
              done();
            }
          });
      });
    },
    {
      settings: editorDefaultsSetting('sensor-input', EDITOR_DEFAULTS),
    },
  );
};
