/**
 * Relay commands through the API (POST /api/devices/{id}/commands with type
 * `relay`): one request shape, published on each firmware's own command topic,
 * confirmed by the device's next state message as the normalizer decodes it.
 *
 * | firmware      | topic                               | payload                                     | state metric (confirms)   |
 * | ------------- | ----------------------------------- | ------------------------------------------- | ------------------------- |
 * | `tasmota`     | `cmnd/<id>/POWER<channel+1>`        | `ON` / `OFF` / `TOGGLE`                     | `power<channel+1>` (`power` for channel 0) |
 * | `shelly`      | `shellies/<id>/relay/<channel>/command` | `on` / `off` / `toggle`                 | `relay_<channel>`         |
 * | `shelly-gen2` | `<id>/rpc`                          | `Switch.Set {id, on}` / `Switch.Toggle {id}` | `switch_<channel>_output` |
 * | `esphome`     | `<id>/switch/<name>/command`        | `ON` / `OFF` / `TOGGLE`                     | `<name>`                  |
 * | `zigbee2mqtt` | `zigbee2mqtt/<id>/set` (`<id>` may be `living room/lamp`) | `{"state": "ON"}` (`state_<endpoint>`) | `state` (`state_<endpoint>`) |
 */
import { randomUUID } from 'crypto';
import type { Command } from '../../nodes/common/types';
import { snakeName } from '../../nodes/payload-normalizer/draft';
import { HttpError } from './validate';

export const RELAY_FIRMWARES = ['tasmota', 'shelly', 'shelly-gen2', 'esphome', 'zigbee2mqtt'] as const;
export type RelayFirmware = (typeof RELAY_FIRMWARES)[number];
const STATES = ['ON', 'OFF', 'TOGGLE'] as const;
type RelayState = (typeof STATES)[number];

/** One topic level: no separators, wildcards or control characters (Zigbee2MQTT names may hold spaces). */
const LEVEL = /^[^/+#\s]{1,64}$/;
/**
 * A Zigbee2MQTT friendly name: up to three levels (`living room/lamp`), none empty, no wildcards;
 * three because the shipped ACLs allow `zigbee2mqtt/+/set` to `zigbee2mqtt/+/+/+/set`.
 */
const Z2M_NAME = /^[^/+#]{1,64}(\/[^/+#]{1,64}){0,2}$/;
const printable = (s: string): boolean => [...s].every((ch) => ch.charCodeAt(0) >= 32);
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

export interface RelayRequest {
  type: 'relay';
  params?: Record<string, unknown>;
  firmware?: string;
  ttlSec?: number;
}

/** What confirms the command: a Reading of the device with one of `metrics`, equal to `want` (any value when unset). */
export interface RelayExpectation {
  deviceId: string;
  metrics: string[];
  want?: 0 | 1;
}

export interface RelayOutgoing {
  command: Command;
  topic: string;
  payload: string | Record<string, unknown>;
  expect: RelayExpectation;
}

/**
 * Validates a relay request and builds the command, its topic, payload and
 * expectation; HttpError 400 naming the field. `current(metric)` is the
 * device's last known value of a metric: a TOGGLE then expects the other state.
 */
export function buildRelayCommand(
  deviceId: string,
  req: RelayRequest,
  now = Date.now(),
  current: (metric: string) => number | undefined = () => undefined,
): RelayOutgoing {
  const firmware = req.firmware as RelayFirmware;
  if (!RELAY_FIRMWARES.includes(firmware)) throw new HttpError(400, `firmware must be one of ${RELAY_FIRMWARES.join(', ')} for a relay command`, 'firmware');
  if (firmware === 'zigbee2mqtt') {
    if (!Z2M_NAME.test(deviceId) || deviceId.length > 128 || !printable(deviceId))
      throw new HttpError(400, 'id must be a Zigbee2MQTT friendly name: 1 to 3 levels separated by / (none empty), no + or #, at most 128 characters', 'id');
  } else if (!LEVEL.test(deviceId) || !printable(deviceId))
    throw new HttpError(400, 'id must be one topic level (no / + # or spaces, at most 64 characters)', 'id');
  const p = req.params;
  if (typeof p !== 'object' || p === null || Array.isArray(p))
    throw new HttpError(400, 'params must be an object, e.g. {"state": "ON", "channel": 0}', 'params');
  const allowed = ['state', 'channel', ...(firmware === 'esphome' ? ['name'] : []), ...(firmware === 'zigbee2mqtt' ? ['endpoint'] : [])];
  const extra = Object.keys(p).find((k) => !allowed.includes(k));
  if (extra !== undefined) throw new HttpError(400, `params.${extra}: a ${firmware} relay command takes ${allowed.join(', ')}`, `params.${extra}`);
  const state = typeof p.state === 'string' ? (p.state.toUpperCase() as RelayState) : undefined;
  if (!state || !STATES.includes(state)) throw new HttpError(400, 'params.state must be ON, OFF or TOGGLE', 'params.state');
  const channel = p.channel ?? 0;
  if (typeof channel !== 'number' || !Number.isInteger(channel) || channel < 0 || channel > 7)
    throw new HttpError(400, 'params.channel must be a whole number from 0 to 7 (0 is the first relay)', 'params.channel');
  if (firmware === 'esphome' && (typeof p.name !== 'string' || !NAME.test(p.name)))
    throw new HttpError(400, 'params.name: the ESPHome switch\'s object id is required (letters, digits, _ -), e.g. "relay"', 'params.name');
  if (firmware === 'zigbee2mqtt' && p.endpoint !== undefined && (typeof p.endpoint !== 'string' || !NAME.test(p.endpoint)))
    throw new HttpError(400, 'params.endpoint must be a Zigbee2MQTT endpoint name such as l1 or left', 'params.endpoint');
  if ((firmware === 'esphome' || firmware === 'zigbee2mqtt') && channel !== 0)
    throw new HttpError(
      400,
      `params.channel: ${firmware} names its switch (${firmware === 'esphome' ? 'params.name' : 'params.endpoint'}), not a channel`,
      'params.channel',
    );
  const ttlSec = req.ttlSec ?? 60;
  if (!Number.isInteger(ttlSec) || ttlSec < 1 || ttlSec > 86_400) throw new HttpError(400, 'ttlSec must be whole seconds from 1 to 86400', 'ttlSec');

  const on = state === 'ON';
  let topic: string;
  let payload: string | Record<string, unknown>;
  let metrics: string[];
  switch (firmware) {
    case 'tasmota':
      topic = `cmnd/${deviceId}/POWER${channel + 1}`;
      payload = state;
      // A one-relay Tasmota answers POWER, a multi-relay one POWER1.
      metrics = channel === 0 ? ['power', 'power1'] : [`power${channel + 1}`];
      break;
    case 'shelly':
      topic = `shellies/${deviceId}/relay/${channel}/command`;
      payload = state.toLowerCase();
      metrics = [`relay_${channel}`];
      break;
    case 'shelly-gen2':
      topic = `${deviceId}/rpc`;
      // Responses go to `<src>/rpc`; confirmation comes from the status notification instead.
      payload =
        state === 'TOGGLE'
          ? { id: now % 1_000_000_000, src: 'iot-app', method: 'Switch.Toggle', params: { id: channel } }
          : { id: now % 1_000_000_000, src: 'iot-app', method: 'Switch.Set', params: { id: channel, on } };
      metrics = [`switch_${channel}_output`];
      break;
    case 'esphome':
      topic = `${deviceId}/switch/${p.name as string}/command`;
      payload = state;
      metrics = [snakeName(p.name as string)];
      break;
    case 'zigbee2mqtt': {
      const key = p.endpoint ? `state_${p.endpoint as string}` : 'state';
      topic = `zigbee2mqtt/${deviceId}/set`;
      payload = { [key]: state };
      metrics = [snakeName(key)];
      break;
    }
  }
  let want: 0 | 1 | undefined = state === 'ON' ? 1 : state === 'OFF' ? 0 : undefined;
  if (state === 'TOGGLE') {
    const before = metrics.map(current).find((v) => v === 0 || v === 1);
    if (before !== undefined) want = before === 1 ? 0 : 1;
  }
  const params: Record<string, string | number> = { state, channel };
  if (p.name !== undefined) params.name = p.name as string;
  if (p.endpoint !== undefined) params.endpoint = p.endpoint as string;
  const command: Command = {
    id: randomUUID(),
    deviceId,
    action: 'relay',
    params: { ...params, firmware },
    createdAt: now,
    expiresAt: now + ttlSec * 1000,
    status: 'pending',
  };
  const expect: RelayExpectation = { deviceId, metrics };
  if (want !== undefined) expect.want = want;
  return { command, topic, payload, expect };
}

/** Whether a Reading's metrics confirm the expectation (the device's state after the command). */
export function confirms(expect: RelayExpectation, metrics: Record<string, unknown>): boolean {
  for (const m of expect.metrics) {
    const v = metrics[m];
    if (typeof v === 'number' && (expect.want === undefined || v === expect.want)) return true;
  }
  return false;
}
