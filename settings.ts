/**
 * Node-RED runtime settings for the app, configured from the environment
 * (README, "Configuration"). Compiled to dist/settings.js; `npm start` uses it,
 * and `node-red --settings dist/settings.js` works too (without the embedded broker).
 */
import path from 'path';
import { readEnv, REPO_ROOT, withAuth } from './app/env';
import { basicAuth } from './app/basic-auth';
import { appGate, dashboardSessions, editorAuth } from './app/auth';
import { AuthGate, parseBasic } from './app/auth/gate';
import { logHandler } from './app/logging';

const env = readEnv();

if (env.production && !env.credentialSecret) {
  throw new Error('NODE_RED_CREDENTIAL_SECRET is required when NODE_ENV=production: it encrypts the credentials file.');
}
const gate = appGate(env);
const loopback = /^(127\.|::1$|localhost$)/.test(env.host);
if (!loopback && !gate.enabled) {
  throw new Error(
    `HOST=${env.host} exposes the editor beyond this machine: set ADMIN_PASSWORD_HASH (a bcrypt hash) or a users file (APP_USERS_FILE) to turn on login, or use HOST=127.0.0.1.`,
  );
}

// The flows read these through ${VAR} substitution; settings is loaded before the flows.
// Node-RED does not substitute ${VAR} in credentials: the broker node takes the
// user and password from the URL (mqtt.js reads them from there; logs mask them).
process.env.MQTT_BROKER_URL = withAuth(env.mqttUrl, process.env.MQTT_USERNAME, process.env.MQTT_PASSWORD);
process.env.SIMULATE_DEVICES = String(env.simulateDevices);

/**
 * The dashboard's socket.io connection needs the same login as its pages (httpNodeAuth), through the
 * same gate; who logged in on each socket is kept (dashboardSessions) so control sent through it
 * carries its user and role (app/audit-hook.ts).
 */
function dashboardSocketAuth(gate: AuthGate) {
  type Socket = {
    id: string;
    request: { headers: Record<string, string | undefined>; url?: string; socket?: { remoteAddress?: string } };
    client: { conn: { close(): void } };
    on(event: 'disconnect', fn: () => void): void;
  };
  return (socket: Socket, next: (err?: Error) => void): void => {
    // As the dashboard's default middleware does: a client must start with HTTP polling.
    if ((socket.request.url || '').includes('transport=websocket')) {
      socket.client.conn.close();
      return;
    }
    const creds = parseBasic(socket.request.headers.authorization);
    if (!creds) return next(new Error('authentication required'));
    const address = socket.request.socket?.remoteAddress;
    void gate.login(creds.username, creds.password, address).then((r) => {
      if (!r.ok) return next(new Error(r.status === 429 ? 'too many login attempts' : 'authentication required'));
      if (dashboardSessions.size < 10_000) dashboardSessions.set(socket.id, { ...r.user, address });
      socket.on('disconnect', () => dashboardSessions.delete(socket.id));
      next();
    });
  };
}

const settings = {
  uiPort: env.port,
  // node-red's own launcher fills these in; RED.init does not, and Dashboard 2.0 needs them.
  httpAdminRoot: '/',
  httpNodeRoot: '/',
  uiHost: env.host,
  userDir: env.dataDir,
  flowFile: 'flows.json',
  flowFilePretty: true,
  credentialSecret: env.credentialSecret,
  // The repository is itself a Node-RED module (package.json "node-red"): load it as one.
  nodesDir: [REPO_ROOT],
  // app/start.ts mounts the package's health routes itself, ahead of Node-RED (see nodes/common/health-plugin.ts).
  iotHealthRoutes: false,
  adminAuth: editorAuth(gate),
  // A function: node-red's own launcher mounts it as is; the app's start.ts does the same.
  httpNodeAuth: gate.enabled ? basicAuth(gate) : undefined,
  dashboard: gate.enabled ? { ioMiddleware: dashboardSocketAuth(gate) } : {},
  contextStorage: {
    default: { module: 'memory' },
    file: { module: 'localfilesystem', config: { dir: path.join(env.dataDir, 'context'), flushInterval: 5 } },
  },
  logging: {
    console: { level: env.logLevel, metrics: false, audit: false, handler: () => logHandler(env.logFormat) },
  },
  editorTheme: {
    projects: { enabled: false },
    tours: false,
    header: { title: 'IoT flow engine' },
    page: { title: 'IoT flow engine' },
  },
  diagnostics: { enabled: false },
  // No update check or consent pop-up: devices often run offline.
  telemetry: { enabled: false, updateNotification: false },
  runtimeState: { enabled: false },
  externalModules: { autoInstall: false, palette: { allowInstall: true } },
  functionExternalModules: false,
  exportGlobalContextKeys: false,
};

export = settings;
