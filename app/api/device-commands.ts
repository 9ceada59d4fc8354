/**
 * Configuration commands to devices through the API (POST /api/devices/{id}/commands
 * with type set_interval or set_config): validated, published at QoS 1 on the
 * seeds' command topics, followed by id through the devices' acknowledgements.
 *
 * Topics (layout): `pi` (default) is the Pi seed's `commands/{id}/{command_type}`,
 * here `commands/{id}/config`, acknowledged on `commands/{id}/config/ack`;
 * `lifecompanion` is `lifecompanion/devices/{id}/commands`; `esp32` is the
 * ESP32 seed's `commands/esp32/{id}/control`, acknowledged on `.../control/ack`. The payload is the
 * Command (DESIGN.md) plus the seeds' own fields, so either firmware style reads it:
 * LifeCompanion's `{command, interval, timestamp}` and the platform seed's
 * `{command_id, action, params, expires_at}`.
 */
import { randomUUID } from 'crypto';
import mqtt from 'mqtt';
import type { Command } from '../../nodes/common/types';
import { HttpError } from './validate';

export const CONFIG_TYPES = ['set_interval', 'set_config'] as const;
export type ConfigType = (typeof CONFIG_TYPES)[number];
export const LAYOUTS = ['pi', 'lifecompanion', 'esp32'] as const;
export type Layout = (typeof LAYOUTS)[number];

export const ACK_FILTERS = ['commands/+/config/ack', 'commands/esp32/+/control/ack'];
const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const KEY = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
const ACK_STATUSES = new Set(['acknowledged', 'executed', 'failed']);

export interface ConfigRequest {
  type: ConfigType;
  params?: Record<string, unknown>;
  layout?: Layout;
  ttlSec?: number;
}

export interface Outgoing {
  command: Command;
  topic: string;
  payload: Record<string, unknown>;
}

/** Validates a request and builds the command, its topic and payload; HttpError 400 naming the field. */
export function buildConfigCommand(deviceId: string, req: ConfigRequest, now = Date.now()): Outgoing {
  if (!ID.test(deviceId)) throw new HttpError(400, 'id must be a device id (letters, digits, _ . : -, at most 64)', 'id');
  const p = req.params;
  if (typeof p !== 'object' || p === null || Array.isArray(p))
    throw new HttpError(400, `params must be an object, e.g. ${req.type === 'set_interval' ? '{"interval": 30}' : '{"interval": 30, "unit": "s"}'}`, 'params');
  let params: Record<string, string | number | boolean>;
  if (req.type === 'set_interval') {
    const extra = Object.keys(p).filter((k) => k !== 'interval');
    if (extra.length) throw new HttpError(400, `params.${extra[0]}: set_interval takes only interval`, `params.${extra[0]}`);
    const v = p.interval;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 86_400)
      throw new HttpError(400, 'params.interval must be whole seconds from 1 to 86400', 'params.interval');
    params = { interval: v };
  } else {
    const entries = Object.entries(p);
    if (entries.length === 0 || entries.length > 20) throw new HttpError(400, 'params must hold 1 to 20 settings', 'params');
    params = {};
    for (const [k, v] of entries) {
      if (!KEY.test(k)) throw new HttpError(400, `params.${k}: a setting name is letters, digits and _ (at most 40)`, `params.${k}`);
      const ok = typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v.length <= 200);
      if (!ok) throw new HttpError(400, `params.${k} must be a number, a boolean or a string of at most 200 characters`, `params.${k}`);
      params[k] = v as string | number | boolean;
    }
  }
  const ttlSec = req.ttlSec ?? 300;
  if (!Number.isInteger(ttlSec) || ttlSec < 1 || ttlSec > 86_400) throw new HttpError(400, 'ttlSec must be whole seconds from 1 to 86400', 'ttlSec');
  const layout = req.layout ?? 'pi';
  const command: Command = { id: randomUUID(), deviceId, action: req.type, params, createdAt: now, expiresAt: now + ttlSec * 1000, status: 'pending' };
  const topic =
    layout === 'lifecompanion'
      ? `lifecompanion/devices/${deviceId}/commands`
      : layout === 'esp32'
        ? `commands/esp32/${deviceId}/control`
        : `commands/${deviceId}/config`;
  const payload = {
    ...command,
    command: req.type,
    ...(req.type === 'set_interval' ? { interval: params.interval } : {}),
    command_id: command.id,
    timestamp: new Date(now).toISOString(),
    expires_at: new Date(command.expiresAt).toISOString(),
  };
  return { command, topic, payload };
}

/** A device's acknowledgement on commands/{id}/config/ack (or commands/esp32/{id}/control/ack): `{id | command_id, status, reason?}`. */
export function parseAck(
  topic: string,
  body: Buffer,
): { deviceId: string; id: string; status: 'acknowledged' | 'executed' | 'failed'; reason?: string } | undefined {
  const deviceId = (/^commands\/([^/]+)\/config\/ack$/.exec(topic) ?? /^commands\/esp32\/([^/]+)\/control\/ack$/.exec(topic))?.[1];
  if (!deviceId) return undefined;
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const id = typeof p?.id === 'string' ? p.id : p?.command_id;
  if (typeof id !== 'string' || typeof p.status !== 'string' || !ACK_STATUSES.has(p.status)) return undefined;
  return {
    deviceId,
    id,
    status: p.status as 'acknowledged' | 'executed' | 'failed',
    reason: typeof p.reason === 'string' ? p.reason.slice(0, 200) : undefined,
  };
}

export interface PublisherOptions {
  url: string;
  username?: string;
  password?: string;
}

/** One MQTT client for the API's commands, connected on first use; acks go to `onAck`. */
export class CommandPublisher {
  private client?: mqtt.MqttClient;
  constructor(
    private readonly o: PublisherOptions,
    private readonly onAck: (ack: NonNullable<ReturnType<typeof parseAck>>) => void,
  ) {}

  private connect(): mqtt.MqttClient {
    if (this.client) return this.client;
    const c = mqtt.connect(this.o.url, {
      username: this.o.username,
      password: this.o.password,
      reconnectPeriod: 5000,
      connectTimeout: 5000,
      clientId: `iot-api-commands-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    });
    c.on('error', () => undefined); // retried by mqtt.js; a publish that cannot go out answers 503
    c.on('connect', () => {
      c.subscribe(ACK_FILTERS, { qos: 1 });
    });
    c.on('message', (topic, body) => {
      const ack = parseAck(topic, body);
      if (ack) this.onAck(ack);
    });
    this.client = c;
    return c;
  }

  /** Publishes at QoS 1 (text as is, anything else as JSON) and resolves once the broker has it; 503 after `timeoutMs`. */
  async publish(topic: string, payload: unknown, timeoutMs = 5000): Promise<void> {
    const c = this.connect();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HttpError(503, `the MQTT broker did not take the command within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([c.publishAsync(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1 }), timeout]);
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(503, `the MQTT broker refused the command: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.client?.endAsync(true).catch(() => undefined);
  }
}
