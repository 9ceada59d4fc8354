/**
 * Home Assistant MQTT discovery announcements, read without Home Assistant:
 * `homeassistant/<component>/[<node_id>/]<object_id>/config` with a JSON body that
 * announces a `state_topic` (and unit, device class, value template, device and
 * availability topics), abbreviated keys (`stat_t`, `unit_of_meas`, `val_tpl`,
 * `avty_t`, `dev`...) and the `~` base. Shared by the payload-normalizer (which
 * decodes the announced topics) and the sensor-input (which subscribes to them).
 * Pure: no Node-RED import.
 */

/** The default discovery prefix. */
export const DISCOVERY_PREFIX = 'homeassistant';
/** What the shipped flow subscribes to, to hear announcements. */
export const DISCOVERY_FILTERS = ['homeassistant/+/+/config', 'homeassistant/+/+/+/config'];

/** The abbreviations of the keys this module reads (Home Assistant's `ABBREVIATIONS` / `DEVICE_ABBREVIATIONS`). */
const ABBREVIATIONS: Readonly<Record<string, string>> = {
  stat_t: 'state_topic',
  unit_of_meas: 'unit_of_measurement',
  val_tpl: 'value_template',
  avty_t: 'availability_topic',
  avty: 'availability',
  avty_mode: 'availability_mode',
  pl_avail: 'payload_available',
  pl_not_avail: 'payload_not_available',
  pl_on: 'payload_on',
  pl_off: 'payload_off',
  stat_on: 'state_on',
  stat_off: 'state_off',
  dev: 'device',
  dev_cla: 'device_class',
  uniq_id: 'unique_id',
  obj_id: 'object_id',
  t: 'topic',
  ids: 'identifiers',
  cns: 'connections',
};

/** A topic announcement's place: component, optional node id, object id. */
export interface DiscoveryTopic {
  component: string;
  nodeId?: string;
  objectId: string;
}

/** `homeassistant/<component>/[<node_id>/]<object_id>/config` -> its parts, else null. */
export function discoveryTopic(topic: string): DiscoveryTopic | null {
  if (!topic.startsWith('homeassistant/') || !topic.endsWith('/config')) return null;
  const l = topic.split('/');
  if (l.length === 4) return l[1] && l[2] ? { component: l[1], objectId: l[2] } : null;
  if (l.length === 5) return l[1] && l[2] && l[3] ? { component: l[1], nodeId: l[2], objectId: l[3] } : null;
  return null;
}

/** One availability source of an entity. */
export interface AvailabilitySpec {
  topic: string;
  /** Payload that means online (default `online`). */
  on: string;
  /** Payload that means offline (default `offline`). */
  off: string;
}

/** An announced entity, in the terms a Reading needs. */
export interface Announcement {
  stateTopic?: string;
  /** Dot path into the JSON payload (`value_json.a.b`), [] for the bare payload (`{{ value }}` or no template). */
  path: string[];
  metric: string;
  unit?: string;
  deviceId: string;
  /** For binary sensors and switches: the payloads that mean 1 and 0. */
  on?: string;
  off?: string;
  availability: AvailabilitySpec[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The announcement with abbreviated keys spelled out (top level, `device`, `availability` items). */
function expand(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[Object.prototype.hasOwnProperty.call(ABBREVIATIONS, k) ? ABBREVIATIONS[k] : k] = v;
  return out;
}

/** `~` at the start or end of a topic value stands for the `~` key (Home Assistant's rule). */
function topicValue(v: unknown, base: string | undefined): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  if (base === undefined) return v;
  if (v.startsWith('~')) return base + v.slice(1);
  if (v.endsWith('~')) return v.slice(0, -1) + base;
  return v;
}

const TEMPLATE_RE =
  /^\{\{\s*(value_json((?:\.[A-Za-z_][A-Za-z0-9_]*|\[\s*(?:'[^']*'|"[^"]*"|\d+)\s*\])*)|value)\s*((?:\|\s*(?:float|int|round|abs)(?:\(\s*[\d.,\s]*\))?\s*)*)\}\}$/;

/**
 * The payload path a simple `value_template` reads: `{{ value }}` -> [], `{{ value_json.x }}`
 * -> ['x'], `{{ value_json.x.y }}`, `{{ value_json['x'] }}`, with numeric filters (`| float`,
 * `| round(1)`) allowed. null for any other template (it is not evaluated).
 */
export function templatePath(tpl: unknown): string[] | null {
  if (tpl === undefined) return [];
  if (typeof tpl !== 'string') return null;
  const m = TEMPLATE_RE.exec(tpl.trim());
  if (!m) return null;
  if (m[1] === 'value') return [];
  const rest = m[2] ?? '';
  const keys: string[] = [];
  for (const part of rest.matchAll(/\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*(?:'([^']*)'|"([^"]*)"|(\d+))\s*\]/g)) keys.push(part[1] ?? part[2] ?? part[3] ?? part[4]);
  if (keys.length === 0 || keys.some((k) => k === '__proto__' || k === 'constructor' || k === 'prototype')) return null;
  return keys;
}

const snake = (s: string): string =>
  s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);

/**
 * Reads an announcement body (already parsed). Returns the announcement, or a text saying why
 * it cannot be used (no state topic, a template this reader does not evaluate...).
 */
export function readAnnouncement(where: DiscoveryTopic, body: unknown): Announcement | string {
  if (!isObj(body)) return 'the announcement is not a JSON object';
  const o = expand(body);
  const base = typeof o['~'] === 'string' ? o['~'] : undefined;
  const dev = isObj(o.device) ? expand(o.device) : {};
  const ids = dev.identifiers;
  const firstId = Array.isArray(ids) ? ids.find((x) => typeof x === 'string' && x !== '') : typeof ids === 'string' && ids !== '' ? ids : undefined;
  const deviceId =
    (typeof dev.name === 'string' && dev.name !== '' ? dev.name : undefined) ?? (firstId as string | undefined) ?? where.nodeId ?? where.objectId;
  const availability: AvailabilitySpec[] = [];
  const on = typeof o.payload_available === 'string' ? o.payload_available : 'online';
  const off = typeof o.payload_not_available === 'string' ? o.payload_not_available : 'offline';
  const single = topicValue(o.availability_topic, base);
  if (single) availability.push({ topic: single, on, off });
  if (Array.isArray(o.availability)) {
    for (const item of o.availability.slice(0, 8)) {
      if (!isObj(item)) continue;
      const a = expand(item);
      const t = topicValue(a.topic, base);
      if (t)
        availability.push({
          topic: t,
          on: typeof a.payload_available === 'string' ? a.payload_available : on,
          off: typeof a.payload_not_available === 'string' ? a.payload_not_available : off,
        });
    }
  }
  const stateTopic = topicValue(o.state_topic, base);
  // A JSON-schema light announces no template: its state object says `"state": "ON"`.
  const jsonSchema = o.schema === 'json' && o.value_template === undefined;
  const path = jsonSchema ? ['state'] : templatePath(o.value_template);
  if (stateTopic !== undefined && path === null)
    return `value_template ${JSON.stringify(o.value_template).slice(0, 60)} is not a simple {{ value_json.x }} / {{ value }}`;
  if (stateTopic === undefined && availability.length === 0) return 'the announcement has no state_topic nor availability_topic';
  const deviceClass = typeof o.device_class === 'string' ? snake(o.device_class) : '';
  const named = typeof o.name === 'string' ? snake(o.name) : '';
  const metric = jsonSchema
    ? deviceClass || where.component
    : (path && path.length > 0 ? snake(path.join('_')) : '') || deviceClass || named || snake(where.objectId) || where.component;
  const binary = where.component === 'binary_sensor' || where.component === 'switch' || where.component === 'light';
  const pOn = typeof o.payload_on === 'string' ? o.payload_on : typeof o.state_on === 'string' ? o.state_on : binary ? 'ON' : undefined;
  const pOff = typeof o.payload_off === 'string' ? o.payload_off : typeof o.state_off === 'string' ? o.state_off : binary ? 'OFF' : undefined;
  return {
    stateTopic,
    path: path ?? [],
    metric,
    unit: typeof o.unit_of_measurement === 'string' && o.unit_of_measurement !== '' ? o.unit_of_measurement : undefined,
    deviceId: deviceId.slice(0, 128),
    on: pOn,
    off: pOff,
    availability,
  };
}

/** What an announcement asks a subscriber to listen to, and the command topics it names (never to be subscribed). */
export interface AnnouncedTopics {
  /** State and availability topics, as announced (a wildcard or `$` topic is the subscriber's to refuse). */
  listen: string[];
  /** `command_topic` and every other `*_command_topic` (`cmd_t`, `bri_cmd_t`...), `~` expanded. */
  commands: string[];
}

const COMMAND_KEY = /(^|_)(command_topic|cmd_t)$/;

/**
 * The topics of one announcement message: null when the topic is not an announcement, empty
 * lists for a removal (empty payload) or a body that cannot be read.
 */
export function announcedTopics(topic: string, payload: unknown): AnnouncedTopics | null {
  const where = discoveryTopic(topic);
  if (where === null) return null;
  const none: AnnouncedTopics = { listen: [], commands: [] };
  let body = payload;
  if (Buffer.isBuffer(body)) body = body.toString('utf8');
  if (typeof body === 'string') {
    if (body.trim() === '') return none;
    try {
      body = JSON.parse(body);
    } catch {
      return none;
    }
  }
  const a = readAnnouncement(where, body);
  if (typeof a === 'string' || !isObj(body)) return none;
  const base = typeof body['~'] === 'string' ? body['~'] : undefined;
  const commands: string[] = [];
  for (const [k, v] of Object.entries(body)) {
    const t = COMMAND_KEY.test(k) ? topicValue(v, base) : undefined;
    if (t !== undefined) commands.push(t);
  }
  return { listen: [...new Set([...(a.stateTopic ? [a.stateTopic] : []), ...a.availability.map((x) => x.topic)])], commands };
}
