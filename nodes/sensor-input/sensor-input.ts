/**
 * Node-RED glue of `sensor-input`: parses the settings, runs the simulator or the
 * GPIO input, and takes "start"/"stop" messages. Logic lives beside this file.
 */
import mqtt from 'mqtt';
import type { NodeAPI, NodeDef, NodeInstance, NodeMessage } from '../common/red';
import { status } from '../common/status';
import { errorMessage, ValidationError } from '../common/errors';
import { clearHealth, reportHealth } from '../common/health';
import { parseConfig } from './config';
import { gpioOpener } from './gpio-backend';
import { brokerSource, mqttRunner } from './mqtt-input';
import { gpioRunner, simulateRunner, type Output, type Runner } from './runner';

export = function (RED: NodeAPI) {
  RED.nodes.registerType('sensor-input', function (this: NodeInstance, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    let runner: Runner | undefined;
    try {
      const cfg = parseConfig(def);
      const out: Output = {
        send: (msgs) => node.send([msgs as unknown as NodeMessage[]]),
        status: (s) => node.status(s),
        warn: (text) => node.warn(text),
        error: (text) => node.error(text),
        health: (ok, detail, figures) => reportHealth(node.id, { kind: 'sensor-input', ok, detail, figures }),
      };
      if (cfg.mode === 'mqtt') {
        const source = brokerSource(RED.nodes.getNode(cfg.broker));
        const mqttOut = { ...out, health: (ok: boolean, detail: string, figures: Record<string, number>) => reportHealth(node.id, { kind: 'mqtt-input', ok, detail, figures }) };
        runner = mqttRunner(cfg, mqttOut, (msg) => node.send(msg as unknown as NodeMessage), source, mqtt.connect, node.id);
      } else {
        runner = cfg.mode === 'simulate' ? simulateRunner(cfg, out) : gpioRunner(cfg, out, gpioOpener());
      }
      if (cfg.autoStart) runner.start();
      else node.status({ text: 'stopped' });
    } catch (err) {
      node.status(status.failed(errorMessage(err)));
      node.error(`sensor-input settings: ${errorMessage(err)}`);
      // An MQTT input that cannot start is a broker connection that is down, for /health/ready.
      if (def.mode === 'mqtt') reportHealth(node.id, { kind: 'mqtt-input', ok: false, detail: `settings: ${errorMessage(err)}` });
    }

    node.on('input', (msg, _send, done) => {
      try {
        if (!runner) throw new ValidationError('sensor-input is not running: fix its settings');
        const command = typeof msg.payload === 'string' ? msg.payload.trim().toLowerCase() : msg.payload;
        if (command === 'start' || command === true) runner.start();
        else if (command === 'stop' || command === false) runner.stop();
        else throw new ValidationError(`msg.payload must be "start" or "stop", got ${JSON.stringify(msg.payload)}`, 'payload');
        done();
      } catch (err) {
        done(err as Error);
      }
    });

    node.on('close', (_removed, done) => {
      try {
        runner?.stop();
      } finally {
        clearHealth(node.id);
        node.status(status.clear());
        done();
      }
    });
  });
};
