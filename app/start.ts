/**
 * `npm start`: the embedded broker (when MQTT_URL is unset), the versioned flows,
 * and Node-RED with the editor and dashboard, in one process.
 */
// First: before anything loads mqtt (see the file).
import './quiet-debug';
import fs from 'fs';
import http from 'http';
import https from 'https';
import path from 'path';
import { readEnv, REPO_ROOT } from './env';
import { installFlows } from './flows';
import { startEmbeddedBroker, EmbeddedBroker } from './broker';
import { appCredentials, readBrokerUsers, USERS_FILE } from './broker-users';
import { brokerStates, healthRoutes } from './health';
import { basicAuth, optionalBasicAuth, tokenGuard } from './basic-auth';
import { appGate, dashboardSessions } from './auth';
import { AuditLog } from './audit';
import { brokerEntry, installAuditHook } from './audit-hook';
import { installErrorRedaction } from '../nodes/common/error-redaction';
import { errorHandler } from './http-errors';
import { apiRouter } from './api';
import { redactConsole } from './logging';
import { installDepthGuard } from '../nodes/common/depth-guard';
import { readiness } from '../nodes/common/health-routes';
import { DeviceActivity, startSystemHealth, trackReadings } from './system-health';
import { registryMax } from './registry-store';
import { openSharedRegistry } from './registry-share';
import { startFleetShare } from './fleet-share';

// Before anything prints: startup errors quote the environment.
redactConsole();

async function main(): Promise<void> {
  const env = readEnv();
  fs.mkdirSync(env.dataDir, { recursive: true });
  const audit = new AuditLog(path.join(env.dataDir, 'audit.jsonl'), { maxBytes: auditMaxBytes(process.env.AUDIT_MAX_KB) });
  let broker: EmbeddedBroker | undefined;
  if (env.embeddedBroker) {
    const app = appCredentials(env.dataDir);
    const users = readBrokerUsers(process.env.MQTT_USERS_FILE || path.join(env.dataDir, USERS_FILE));
    const anonymousLoopback = (process.env.MQTT_ANONYMOUS || 'loopback').toLowerCase() !== 'off';
    const onControl = (ev: Parameters<typeof brokerEntry>[0]): void => void audit.record(brokerEntry(ev));
    broker = await startEmbeddedBroker(env.embeddedPort, { app, users, anonymousLoopback, onControl }, '127.0.0.1', env.embeddedWsPort || undefined);
    // settings.ts puts these into the flows' broker URL: the app's own clients log in.
    process.env.MQTT_USERNAME = app.username;
    process.env.MQTT_PASSWORD = app.password;
    console.log(
      `[app] embedded MQTT broker on mqtt://127.0.0.1:${broker.port}${broker.wsPort ? ` and ws://127.0.0.1:${broker.wsPort}` : ''} (set MQTT_URL to use your own); ${users.length} users, anonymous telemetry from loopback ${anonymousLoopback ? 'on' : 'off'}`,
    );
  }
  if (env.shareGroup || env.redisUrl) {
    console.log(
      `[app] scale-out: ${env.shareGroup ? `telemetry shared in group ${env.shareGroup}` : 'plain subscriptions (MQTT_SHARE_GROUP unset)'}; ${env.redisUrl ? 'alert state, notification journal, rate limits, alert groups, fleet state and device registry in Redis' : 'local state (REDIS_URL unset)'}`,
    );
  }
  const installed = installFlows(env.dataDir, [path.join(REPO_ROOT, 'flows'), path.join(REPO_ROOT, 'dashboards')]);
  console.log(`[app] flows ${installed.written ? 'installed into' : 'kept in'} ${installed.flowFile}`);
  if (installed.migrated.length) console.log(`[app] renamed config node types: ${installed.migrated.join('; ')}`);

  // Loaded after the broker is up: settings.ts validates the environment and throws on bad values.
  const settings = require('../settings');
  // The device registry (docs/registry.md): the API edits it; flows read it from global context
  // as `iotRegistry` (the notifier's texts, the dashboard's tiles and alerts).
  // Scale-out (REDIS_URL): shared with the other instances through Redis (app/registry-share.ts).
  const shared = openSharedRegistry(process.env, env.dataDir, registryMax(process.env.REGISTRY_MAX_DEVICES));
  const registry = shared.registry;
  // Scale-out (REDIS_URL): the dashboard's fleet state shares its devices (global `iotFleetShare`).
  const fleetShare = startFleetShare(process.env, env.dataDir);
  settings.functionGlobalContext = { ...settings.functionGlobalContext, iotRegistry: registry, ...(fleetShare ? { iotFleetShare: fleetShare.share } : {}) };
  if (registry.size) console.log(`[app] device registry: ${registry.size} devices`);
  const express = require('express');
  const RED = require('node-red');

  const gate = appGate(env);
  const app = express();
  const server =
    env.tlsCertFile && env.tlsKeyFile
      ? https.createServer({ cert: fs.readFileSync(env.tlsCertFile), key: fs.readFileSync(env.tlsKeyFile) }, app)
      : http.createServer(app);
  RED.init(server, settings);
  installDepthGuard(RED.hooks, env.maxMessageDepth);
  installErrorRedaction(RED.hooks);
  installAuditHook(RED.hooks, { audit, sessions: dashboardSessions, loginRequired: gate.enabled, brokerRecords: env.embeddedBroker });
  const activity = new DeviceActivity(env.activeDeviceWindowS * 1000);
  trackReadings(RED.hooks, activity);
  let started = false;
  // RED.start() can resolve before the flows are loaded (they start asynchronously): until then
  // Node-RED has no node list, and eachNode would throw and end the process from a health probe.
  let flowsStarted = false;
  RED.events.on('flows:started', () => {
    flowsStarted = true;
  });
  const up = (): boolean => started && flowsStarted;
  // The package's own health routes (nodes/common/health-routes.ts), mounted here before Node-RED
  // so probes get "starting" from the first moment; settings.ts turns off the copy on httpAdmin.
  // With a login set, /metrics needs it and /health/ready gives its detail to a caller who sends it.
  const view = { started: up, brokers: () => (up() ? brokerStates(RED.nodes) : {}) };
  healthRoutes(app, view, gate.enabled ? { auth: basicAuth(gate), readyAuth: optionalBasicAuth(gate) } : {});
  if (gate.enabled) {
    const adminRoot = (settings.httpAdminRoot || '/').replace(/\/$/, '');
    app.post(`${adminRoot}/auth/token`, express.urlencoded({ extended: false, limit: '8kb' }), express.json({ limit: '8kb' }), tokenGuard(gate));
  }
  // The HTTP API (docs/api.md), behind the dashboard's login.
  const api = apiRouter(express, {
    red: RED,
    gate,
    dataDir: env.dataDir,
    nodeRoot: settings.httpNodeRoot,
    started: up,
    audit,
    registry,
    mqtt: { url: env.mqttUrl, username: process.env.MQTT_USERNAME, password: process.env.MQTT_PASSWORD },
  });
  app.use('/api', api.router);
  app.use(settings.httpAdminRoot || '/', RED.httpAdmin);
  // As node-red's own launcher does: admin routes first, then the login for
  // everything served on httpNode (dashboard, recordings, http-in flows).
  if (settings.httpNodeAuth) app.use(settings.httpNodeRoot || '/', settings.httpNodeAuth);
  app.use(settings.httpNodeRoot || '/', RED.httpNode);
  app.use(errorHandler());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(env.port, env.host, () => resolve());
  });
  await RED.start();
  started = true;
  const url = `${env.tlsCertFile ? 'https' : 'http'}://${env.host.includes(':') ? `[${env.host}]` : env.host}:${env.port}`;
  console.log(`[app] editor ${url}/  dashboard ${url}/dashboard`);
  const systemHealth =
    env.systemHealthIntervalS > 0
      ? startSystemHealth({
          url: env.mqttUrl,
          username: process.env.MQTT_USERNAME,
          password: process.env.MQTT_PASSWORD,
          topic: env.systemHealthTopic,
          intervalMs: env.systemHealthIntervalS * 1000,
          report: () => readiness(view),
          activity,
        })
      : undefined;

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`[app] ${signal}: stopping flows (flushing writers and outboxes)`);
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    try {
      await api.close();
      await systemHealth?.close();
      await RED.stop();
      await fleetShare?.close();
      await shared.close();
      server.close();
      await broker?.close();
    } finally {
      clearTimeout(force);
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** AUDIT_MAX_KB: size of audit.jsonl before it is rotated (default 1024; the record keeps two files). */
function auditMaxBytes(value: string | undefined): number {
  if (!value) return 1024 * 1024;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1024 * 1024) throw new Error(`AUDIT_MAX_KB must be a whole number from 1 to 1048576, got "${value}"`);
  return n * 1024;
}

main().catch((err: Error) => {
  console.error(`[app] failed to start: ${err.message}`);
  process.exit(1);
});
