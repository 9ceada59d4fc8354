/**
 * The `mqtt` mode of sensor-input: one MQTT connection subscribed to a list of
 * topic filters, delivering each message to the flow as it arrives.
 *
 * Why not the stock `mqtt in` node: at tens of thousands of messages a second
 * its per-message costs add up (every subscription of the broker config node
 * re-matches every topic with a freshly built RegExp, and nothing stops the
 * socket from being read faster than the flow can process). Here the broker
 * does the matching, and the runner reads in bursts: after `BURST` messages it
 * yields to the event loop, so the flow keeps pace and unread messages wait in
 * the broker and the socket, not in the runtime's memory. The acknowledgements
 * of one burst go out in one socket write.
 *
 * With `ack: durable` (the default) a QoS 1 message is acknowledged only once
 * it is settled: the flow is done with it and every writer that took it has
 * made it durable (common/ack-ledger.ts, deferred-acks.ts). Until then the
 * broker keeps it, and sends it again if the app dies.
 */
import { isUtf8 } from 'buffer';
import { randomBytes } from 'crypto';
import type { IClientOptions, IPublishPacket, MqttClient } from 'mqtt';
import { errorMessage } from '../common/errors';
import { status } from '../common/status';
import { ValidationError } from '../common/errors';
import { subscriptionFilters, type Datatype, type SensorInputConfig } from './config';
import { DiscoveryFollower } from './discovery-subscriptions';
import { DurableIntake, openReceipts, type DurableAck } from './durable-intake';
import type { ReceiptLog } from './receipts';

export type { DurableAck } from './durable-intake';
import { realClock, STATUS_EVERY, texts, type Clock, type Output, type Runner } from './runner';

/** Messages handed to the flow before yielding to the event loop. */
export const BURST = 256;
/** Payloads above this size are passed on as Buffers, unparsed (the normalizer rejects them by size). */
export const PARSE_LIMIT = 1024 * 1024;

const noLog = (): void => undefined;

export interface MqttInputMessage {
  /** Set for a message whose acknowledgement waits in the ack ledger. */
  _msgid?: string;
  /** When it first arrived (epoch ms), kept across a redelivery after a crash: the normalizer's time for a payload without one. */
  received?: number;
  topic: string;
  payload: unknown;
  qos: 0 | 1 | 2;
  retain: boolean;
  /** MQTT 5 user properties of the message, when it has some (as the stock `mqtt in` node names them). */
  userProperties?: Record<string, string | string[]>;
}

/** Where to connect: the broker URL and mqtt.js options (credentials, TLS) of an `mqtt-broker` config node. */
export interface MqttSource {
  url: string;
  options: IClientOptions;
  /** The client id set in the config node ('' for none); the node's own id is derived from it. */
  clientIdBase: string;
}

/**
 * The connection settings of a stock `mqtt-broker` config node (its `brokerurl`
 * and mqtt.js `options`, the same fields in Node-RED 4 and 5), minus what
 * belongs to that node's own connection: its client id and its will message.
 */
export function brokerSource(broker: unknown): MqttSource {
  const b = broker as { brokerurl?: unknown; options?: IClientOptions; clientid?: unknown } | null | undefined;
  if (!b) throw new ValidationError('the broker config node was not found (deleted, or disabled?)', 'broker');
  if (typeof b.brokerurl !== 'string' || !b.brokerurl || typeof b.options !== 'object') {
    throw new ValidationError('the broker config node has no broker URL: is it an mqtt-broker node?', 'broker');
  }
  const { clientId: _id, will: _will, ...options } = b.options;
  return { url: b.brokerurl, options, clientIdBase: typeof b.clientid === 'string' ? b.clientid.trim() : '' };
}

export type Connect = (url: string, options: IClientOptions) => MqttClient;

/**
 * An MQTT payload as a flow value, the way the stock `mqtt in` node does it:
 * `auto-detect` gives parsed JSON, else text, else the Buffer; `utf8` gives
 * text; `buffer` the bytes untouched (the payload-normalizer parses them).
 */
export function decodePayload(buf: Buffer, datatype: Datatype): unknown {
  if (datatype === 'buffer') return buf;
  if (datatype === 'utf8') return buf.toString('utf8');
  if (buf.length > PARSE_LIMIT || !isUtf8(buf)) return buf;
  const text = buf.toString('utf8');
  let i = 0;
  while (i < text.length && text.charCodeAt(i) <= 32) i++;
  const c = text.charCodeAt(i);
  // Only text that can start a JSON value is tried: a failed JSON.parse is costly.
  if (c === 123 || c === 91 || c === 34 || c === 45 || (c >= 48 && c <= 57) || c === 116 || c === 102 || c === 110) {
    try {
      return JSON.parse(text);
    } catch {
      /* not JSON: stays text */
    }
  }
  return text;
}

/**
 * Client id of the node's connection: stable (for a persistent session) or
 * unique. `install` tells apart two installs that run the same flow on one
 * broker, which would otherwise take each other's session.
 */
export function clientIdFor(base: string | undefined, nodeId: string, persistent: boolean, install = ''): string {
  const stem = `${base || 'iot-engine'}-${install ? `${install}-` : ''}in-${nodeId}`.slice(0, 64);
  return persistent ? stem : `${stem}-${Math.random().toString(16).slice(2, 8)}`;
}

export function mqttRunner(
  cfg: SensorInputConfig,
  out: Output,
  emit: (msg: MqttInputMessage) => void,
  source: MqttSource,
  connect: Connect,
  nodeId: string,
  clock: Clock = realClock,
  durable?: DurableAck,
): Runner {
  const t = texts(out);
  let client: MqttClient | undefined;
  let intake: DurableIntake | undefined;
  let receipts: ReceiptLog | undefined;
  let timer: unknown;
  let received = 0;
  let windowCount = 0;
  let windowStart = clock.now();
  let lastError = '';
  let subscribed = false;
  // Message ids made here (Node-RED's generateId, eight Math.random calls, was 2 % of the app's CPU at
  // QoS 0): unique within the process by the counter, across restarts by the random start.
  const idBase = `${randomBytes(4).toString('hex')}-`;
  let idSeq = 0;
  const nextId = (): string => idBase + (++idSeq).toString(36);
  const follower = cfg.followDiscovery ? new DiscoveryFollower({ ...cfg, max: cfg.discoveryTopicsMax }, out.warn) : undefined;

  const topicsText = (cfg.topics.length === 1 ? cfg.topics[0] : `${cfg.topics.length} topics`) + (cfg.shareGroup ? ` (shared: ${cfg.shareGroup})` : '');
  const figures = (rate: number): Record<string, number> => ({
    connected: client?.connected && subscribed ? 1 : 0,
    received,
    rate,
    ...follower?.figures(),
    ...(durable ? { awaitingAck: intake?.acks.size ?? 0, redelivered: intake?.acks.redelivered ?? 0, staleSettled: durable.ledger.stale } : {}),
  });

  const report = (): void => {
    const now = clock.now();
    const rate = (windowCount * 1000) / Math.max(1, now - windowStart);
    windowCount = 0;
    windowStart = now;
    if (!client) return;
    if (durable) durable.ledger.sweep(durable.maxOpenMs);
    if (client.connected && subscribed) {
      const waiting = intake && intake.acks.size > 0 ? t('sensor-input.status.awaiting', { n: intake.acks.size }) : '';
      out.status(status.ok(t('sensor-input.status.mqttRate', { rate: rate.toFixed(rate < 10 ? 1 : 0), topics: topicsText }) + waiting));
      out.health(true, `subscribed to ${cfg.topics.join(', ')}`, figures(rate));
    } else {
      const why = lastError ? `: ${lastError}` : '';
      out.status(
        client.connected
          ? status.degraded(t('sensor-input.status.subscribing'))
          : status.failed(lastError ? t('sensor-input.status.disconnectedWhy', { error: lastError }) : t('sensor-input.status.disconnected')),
      );
      out.health(false, `not ${client.connected ? 'subscribed' : 'connected'} to ${source.url}${why}`, figures(0));
    }
  };

  const start = (): void => {
    const options: IClientOptions = { ...source.options };
    if (cfg.persistent && options.protocolVersion === 5) {
      // MQTT 5 ends a session on disconnect unless it is given an expiry: keep it a week.
      options.properties = { ...options.properties, sessionExpiryInterval: options.properties?.sessionExpiryInterval || 7 * 86400 };
    }
    if (durable && options.protocolVersion === 5) {
      // Acknowledgements wait for a batch to be written: let the broker send that many ahead (MQTT 5 receive maximum).
      options.properties = { ...options.properties, receiveMaximum: options.properties?.receiveMaximum || 65535 };
    }
    const c = connect(source.url, {
      ...options,
      // mqtt.js logs through `debug`, whose calls allocate even when disabled: several per message.
      log: process.env.DEBUG ? undefined : noLog,
      clientId: clientIdFor(source.clientIdBase, nodeId, cfg.persistent, durable?.install),
      clean: !cfg.persistent,
      resubscribe: false, // subscribed on every connect below, with the answer checked
    });
    client = c;
    if (durable?.receiptsDir && !receipts) receipts = openReceipts(durable.receiptsDir, out.warn);
    const taker = durable ? new DurableIntake(c, durable, nodeId, receipts, clock.now) : undefined;
    intake = taker;
    out.status(status.degraded(t('sensor-input.status.connecting', { url: source.url })));

    // Burst reading with one write for the burst's acknowledgements (see the file comment).
    let burst = 0;
    let corked = false;
    const uncork = (): void => {
      corked = false;
      c.stream?.uncork?.();
    };
    c.handleMessage = (packet: IPublishPacket, done) => {
      if (!corked && typeof c.stream?.cork === 'function') {
        corked = true;
        c.stream.cork();
        setImmediate(uncork);
      }
      // Closing: leave the rest with the broker, unacknowledged (it sends them again after the restart).
      if (taker?.closing) return;
      received++;
      windowCount++;
      try {
        const buf = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
        const userProperties = packet.properties?.userProperties;
        const make = (): MqttInputMessage => {
          const msg: MqttInputMessage = { topic: packet.topic, payload: decodePayload(buf, cfg.datatype), qos: packet.qos, retain: packet.retain };
          // MQTT 5 user properties, where Node-RED's mqtt in puts them (the normalizer reads device and availability there).
          if (userProperties !== undefined) msg.userProperties = userProperties;
          return msg;
        };
        // The announcement also goes on to the flow (the normalizer learns it there).
        if (follower) follower.take(c.connected ? c : undefined, packet.topic, buf);
        if (taker && packet.qos === 1 && packet.messageId !== undefined) taker.take(packet, buf, make, emit);
        else emit(Object.assign(make(), { _msgid: nextId() }));
      } catch (err) {
        out.error(`message on ${packet.topic}: ${errorMessage(err)}`);
      }
      if (++burst < BURST) return done();
      burst = 0;
      setImmediate(done);
    };

    c.on('connect', (connack) => {
      lastError = '';
      subscribed = false;
      taker?.acks.connected(!!connack.sessionPresent);
      // A persistent session the broker kept still holds the subscriptions and queued messages.
      const filters = subscriptionFilters(cfg);
      const topics = Object.fromEntries(filters.map((t) => [t, { qos: cfg.qos }]));
      if (follower) follower.resubscribe(c);
      c.subscribe(topics, (err, granted) => {
        // A refused filter has return code 0x80 or above: mqtt.js reports it as an error carrying the SUBACK.
        const codes = (err as { packet?: { granted?: number[] } } | null)?.packet?.granted;
        const refused = codes ? filters.filter((_, i) => codes[i] >= 0x80) : (granted ?? []).filter((g) => g.qos >= 0x80).map((g) => g.topic);
        if (err || refused.length) {
          // The filters granted still deliver; the status stays red until the settings are fixed.
          lastError = refused.length ? `broker refused ${refused.join(', ')} (not authorised?)` : `subscribe failed: ${err?.message}`;
          out.error(lastError);
          out.status(status.failed(lastError));
          out.health(false, lastError, figures(0));
          return;
        }
        subscribed = true;
        out.status(status.ok(t(connack.sessionPresent ? 'sensor-input.status.subscribedKept' : 'sensor-input.status.subscribed', { topics: topicsText })));
        out.health(true, `subscribed to ${cfg.topics.join(', ')}`, figures(0));
      });
    });
    c.on('error', (err) => {
      lastError = errorMessage(err);
      report();
    });
    c.on('close', () => {
      subscribed = false;
      taker?.acks.disconnected();
      report();
    });
    timer = clock.setInterval(report, STATUS_EVERY);
  };

  return {
    get running() {
      return client !== undefined;
    },
    start() {
      if (!client) start();
    },
    stop() {
      if (!client) return;
      clock.clearInterval(timer);
      const c = client;
      client = undefined;
      // Messages already handed to the flow are acknowledged; the rest stay with the broker.
      c.end(true);
      receipts?.close();
      receipts = undefined;
      out.status({ text: t('sensor-input.status.stopped') });
      out.health(true, 'stopped', { connected: 0, received, rate: 0 });
    },
    async drain(graceMs: number) {
      // Stop taking messages, give the flow graceMs to settle what it holds, send those acknowledgements.
      if (!intake) return;
      intake.closing = true;
      const until = clock.now() + graceMs;
      while (intake.acks.size > 0 && client?.connected && clock.now() < until) await new Promise((r) => setTimeout(r, 20));
    },
  };
}
