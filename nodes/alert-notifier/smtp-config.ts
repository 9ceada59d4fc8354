/** iot-smtp-config: where the alert notifiers send email (SMTP server, SMTP_URL, or a folder). */
import type { NodeAPI, NodeDef, NodeInstance } from '../common/red';
import { redact } from './redact';
import { parseSmtpConfig, smtpTarget, SmtpConfigNode, SmtpTarget, SMTP_DEFAULTS } from './smtp-settings';
import { registerHealthRoutes } from '../common/health-plugin';
import { editorDefaultsSetting } from '../common/editor-defaults';

export = function (RED: NodeAPI) {
  registerHealthRoutes(RED);
  RED.nodes.registerType(
    'iot-smtp-config',
    function (this: NodeInstance<object>, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const node = this as SmtpConfigNode;
      const creds = node.credentials ?? {};
      let target: SmtpTarget | undefined;
      let problem: string | undefined;
      try {
        target = smtpTarget(parseSmtpConfig(def), { user: creds.user, password: creds.password });
      } catch (err) {
        problem = redact(err, [creds.password]);
        node.error(`iot-smtp-config: ${problem}`);
      }
      node.target = () => {
        if (!target) throw new Error(`iot-smtp-config "${def.name || def.id}": ${problem}`);
        return target;
      };
    },
    {
      settings: editorDefaultsSetting('iot-smtp-config', SMTP_DEFAULTS),
      credentials: { user: { type: 'text' }, password: { type: 'password' } },
    },
  );
};
