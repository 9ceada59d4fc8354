/** iot-influxdb-config: where InfluxDB is (1.x or 2.x/3.x) and how to log in. Glue only; see config.ts. */
import { errorMessage } from '../common/errors';
import type { NodeAPI, NodeDef, NodeInstance } from '../common/red';
import { InfluxConfigHandle, InfluxCredentials, parseInfluxConfig, resolveCredentials, CONFIG_EDITOR_DEFAULTS } from './config';
import { registerHealthRoutes } from '../common/health-plugin';
import { editorDefaultsSetting } from '../common/editor-defaults';

type ConfigNode = NodeInstance<InfluxCredentials> & InfluxConfigHandle;

export = function (RED: NodeAPI) {
  registerHealthRoutes(RED);
  RED.nodes.registerType(
    'iot-influxdb-config',
    function (this: NodeInstance<InfluxCredentials>, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const node = this as ConfigNode;
      try {
        node.influx = parseInfluxConfig(def);
      } catch (err) {
        node.configError = errorMessage(err);
        node.error(`iot-influxdb-config "${def.name || def.id}": ${node.configError}`);
      }
      node.resolvedCredentials = () => resolveCredentials(node.influx?.version ?? 2, node.credentials || {}, process.env, node.influx?.urlCredentials);
    },
    {
      settings: editorDefaultsSetting('iot-influxdb-config', CONFIG_EDITOR_DEFAULTS),
      credentials: { user: { type: 'text' }, password: { type: 'password' }, token: { type: 'password' } },
    },
  );
};
