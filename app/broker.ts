/**
 * The embedded MQTT broker (aedes) that runs when MQTT_URL is unset. It
 * authenticates: the app's own clients with generated credentials, operators
 * and devices from the users file (bcrypt, through an AuthGate: throttled,
 * off the main thread), and anonymous clients only from loopback, for
 * telemetry. What each may do is in broker-acl.ts.
 */
import crypto from 'crypto';
import http from 'http';
import net from 'net';
import { Duplex } from 'stream';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { AuthGate } from './auth/gate';
import { BrokerClient, BrokerRole, mayPublish, maySubscribe } from './broker-acl';
import { AppCredentials, BrokerUserEntry } from './broker-users';

export interface EmbeddedBroker {
  port: number;
  /** Port of the MQTT-over-WebSocket listener, when one runs. */
  wsPort?: number;
  close(): Promise<void>;
}

export interface BrokerAuth {
  app: AppCredentials;
  users: BrokerUserEntry[];
  /** Anonymous clients from loopback may publish and read telemetry (default true). */
  anonymousLoopback: boolean;
  /** Told of every publish on a control or command topic by a client other than the app's own (the audit record). */
  onControl?: (event: ControlPublish) => void;
}

export interface ControlPublish {
  clientId: string;
  username?: string;
  role: string;
  topic: string;
  payload: Buffer;
  allowed: boolean;
}

/** Control (`alerts/control/<action>`, not `list`) and commands (`commands/<device>/<kind>`, not their acks). */
export function isControlTopic(topic: string): boolean {
  return /^alerts\/control\/(ack|resolve|arm|rules)$/.test(topic) || /^commands\/[^/]+\/[^/]+$/.test(topic);
}

const isLoopback = (addr: string | undefined): boolean => /^(127\.|::1$|::ffff:127\.)/.test(addr || '');

type AedesClient = { id: string; conn?: { remoteAddress?: string }; iot?: BrokerClient };
type AuthError = Error & { returnCode?: number };

function refuse(message: string, code: number): AuthError {
  const err: AuthError = new Error(message);
  err.returnCode = code;
  return err;
}

function sameSecret(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/** The aedes hooks for `auth`; exported for tests. */
export function brokerHooks(auth: BrokerAuth) {
  const gate = new AuthGate<BrokerRole>(auth.users.map((u) => ({ username: u.username, hash: u.passwordHash, role: u.role })));
  return {
    gate,
    authenticate(client: AedesClient, username: string | undefined, password: Buffer | undefined, cb: (err: AuthError | null, ok: boolean) => void): void {
      const addr = client.conn?.remoteAddress;
      if (!username) {
        if (auth.anonymousLoopback && isLoopback(addr)) {
          client.iot = { role: 'anonymous' };
          return cb(null, true);
        }
        return cb(refuse('anonymous clients are not allowed', 5), false);
      }
      const pw = password ? password.toString('utf8') : '';
      if (username === auth.app.username) {
        if (!sameSecret(pw, auth.app.password)) return cb(refuse('bad user name or password', 4), false);
        client.iot = { role: 'app', username };
        return cb(null, true);
      }
      void gate.login(username, pw, addr).then((r) => {
        if (!r.ok) return cb(refuse(r.status === 401 ? 'bad user name or password' : 'too many attempts', r.status === 401 ? 4 : 3), false);
        client.iot = { role: r.user.role, username };
        cb(null, true);
      });
    },
    authorizePublish(client: AedesClient | null, packet: { topic: string; payload?: Buffer | string }, cb: (err?: Error | null) => void): void {
      // A null client is the broker itself ($SYS, wills already checked at connect).
      if (!client) return cb(null);
      const allowed = Boolean(client.iot && mayPublish(client.iot, packet.topic));
      if (auth.onControl && client.iot?.role !== 'app' && isControlTopic(packet.topic)) {
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(String(packet.payload ?? ''));
        auth.onControl({ clientId: client.id, username: client.iot?.username, role: client.iot?.role || 'none', topic: packet.topic, payload, allowed });
      }
      if (allowed) return cb(null);
      cb(new Error(`not authorized to publish on ${packet.topic}`));
    },
    authorizeSubscribe(client: AedesClient, sub: { topic: string }, cb: (err: Error | null, sub: unknown) => void): void {
      cb(null, client.iot && maySubscribe(client.iot, sub.topic) ? sub : null);
    },
  };
}

function listen(server: net.Server, port: number, host: string, variable: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`${variable} ${port} is in use: stop the other broker, set MQTT_URL to use it, or pick another ${variable}`)
          : err,
      );
    });
    server.listen(port, host, () => resolve((server.address() as net.AddressInfo).port));
  });
}

/**
 * MQTT over WebSockets (browser and mobile apps): each connection becomes a
 * stream for aedes, carrying the peer's address so the loopback rule and the
 * login throttle see the real client, as on the TCP listener.
 */
function webSocketListener(handle: (stream: Duplex, req: http.IncomingMessage) => void): { server: http.Server; wss: WebSocketServer } {
  const server = http.createServer((_req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain' }).end('MQTT over WebSocket only\n');
  });
  // Any path (mqtt.js uses /mqtt, others /), as Mosquitto; the "mqtt" subprotocol is chosen when offered.
  const wss = new WebSocketServer({
    server,
    maxPayload: 1024 * 1024,
    handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false),
  });
  wss.on('connection', (socket, req) => {
    const stream = createWebSocketStream(socket) as Duplex & { remoteAddress?: string };
    stream.remoteAddress = req.socket.remoteAddress;
    stream.on('error', () => socket.terminate());
    handle(stream, req);
  });
  return { server, wss };
}

/** Starts aedes on `port` (TCP) and, when `wsPort` is set, on `wsPort` (WebSocket); both on `host`. */
export async function startEmbeddedBroker(port: number, auth: BrokerAuth, host = '127.0.0.1', wsPort?: number): Promise<EmbeddedBroker> {
  const hooks = brokerHooks(auth);
  // aedes is a dev-time/app dependency, not needed by the node package itself.
  const aedes = require('aedes')({
    authenticate: hooks.authenticate,
    authorizePublish: hooks.authorizePublish,
    authorizeSubscribe: hooks.authorizeSubscribe,
  });
  const server = net.createServer(aedes.handle);
  const ws = wsPort === undefined ? undefined : webSocketListener(aedes.handle);
  const closeAll = (): Promise<void> =>
    new Promise<void>((resolve) => {
      ws?.wss.clients.forEach((c) => c.terminate());
      aedes.close(() =>
        server.close(() => {
          const done = (): void => void hooks.gate.close().then(() => resolve());
          if (ws) ws.wss.close(() => ws.server.close(done));
          else done();
        }),
      );
    });
  try {
    const actual = await listen(server, port, host, 'MQTT_EMBEDDED_PORT');
    const actualWs = ws ? await listen(ws.server, wsPort as number, host, 'MQTT_EMBEDDED_WS_PORT') : undefined;
    return { port: actual, wsPort: actualWs, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
