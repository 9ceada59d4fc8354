/**
 * Health, readiness and Prometheus metrics in a stock Node-RED: every node
 * module of the package calls registerHealthRoutes(RED) when it loads; the
 * first call mounts the routes on Node-RED's admin server (RED.httpAdmin,
 * under httpAdminRoot), the others do nothing. /metrics and the readiness
 * detail use Node-RED's own admin login (`iot.read` permission: users with
 * `read` or `*` have it); /health/live and the readiness verdict stay open
 * for orchestrators. `iotHealthRoutes: false` in settings.js turns them off
 * (the launcher does, since it mounts the same routes on its own server).
 *
 * The same first call installs the message depth guard (depth-guard.ts) on the
 * runtime's hooks, which the launcher otherwise does: without it a 10,000-deep
 * JSON payload on an `mqtt in` overflows the stack when Node-RED clones it.
 */
import type { Router } from 'express';
import { installDepthGuardOnce } from './depth-guard';
import { brokerStates, healthRoutes, NodeRegistryView } from './health-routes';
import type { NodeAPI } from './red';
import { installErrorRedaction } from './error-redaction';

const mounted = new WeakSet<object>();

export function registerHealthRoutes(RED: NodeAPI): void {
  // Package-wide runtime set-up that every node module triggers as it loads: errors for Catch nodes are redacted.
  installErrorRedaction(RED.hooks);
  installDepthGuardOnce(RED.hooks, RED.settings, (text) => RED.log.warn(`[node-red-iot-flow-engine] ${text}`));
  const admin = RED.httpAdmin as unknown as Router | undefined;
  if (!admin || typeof admin.get !== 'function' || mounted.has(admin)) return;
  mounted.add(admin);
  if (RED.settings.iotHealthRoutes === false) return;
  const nodes = RED.nodes as unknown as NodeRegistryView;
  let started = false;
  try {
    // Installed from the palette into a running Node-RED: the flows are already there.
    nodes.eachNode(() => undefined);
    started = true;
  } catch {
    /* still starting: the flows are not loaded yet */
  }
  RED.events.on('flows:started', () => {
    started = true;
  });
  const auth = RED.auth?.needsPermission ? (RED.auth.needsPermission('iot.read') as never) : undefined;
  healthRoutes(admin, { started: () => started, brokers: () => (started ? brokerStates(nodes) : {}) }, { auth });
}
