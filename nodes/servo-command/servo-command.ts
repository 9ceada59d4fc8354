/**
 * servo-command: Node-RED glue. Server mode (servo-server.ts) turns requests
 * into Commands on commands/{deviceId}/servo and follows their acks; device
 * mode (servo-device.ts) drives a PWM servo and publishes the acks. Logic lives
 * in command.ts, tracker.ts, device.ts, pwm.ts.
 */
import { registerHealthRoutes } from '../common/health-plugin';
import { translator } from '../common/i18n';
import { nodeKit } from '../common/node-kit';
import type { DoneFn, NodeAPI, NodeDef, NodeInstance, NodeMessage, SendFn } from '../common/red';
import { parseConfig, DEFAULTS } from './config';
import { ServoDevice } from './servo-device';
import { ServoServer } from './servo-server';
import { editorDefaultsSetting } from '../common/editor-defaults';

export = function (RED: NodeAPI) {
  registerHealthRoutes(RED);
  const tr = translator(RED, __dirname, 'servo-command');
  RED.nodes.registerType(
    'servo-command',
    function (this: NodeInstance, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const node = this;
      const kit = nodeKit(node, 'servo-command');
      const cfg = kit.parse(() => parseConfig(def));
      if (!cfg) return;
      const mode = cfg.mode === 'server' ? new ServoServer(node, cfg, kit, tr) : new ServoDevice(node, cfg, kit, tr);
      node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => mode.input(msg, send, done));
      node.on('close', (_removed: boolean, done: () => void) => {
        void mode.close().then(() => done());
      });
    },
    {
      settings: editorDefaultsSetting('servo-command', DEFAULTS),
    },
  );
};
