/**
 * Who may publish and subscribe to what on the embedded broker: the shipped
 * Mosquitto ACL (docker/mosquitto/acl) in code, plus an operator role and
 * anonymous telemetry on loopback. `%u` is the client's user name.
 */
import { covered } from '../nodes/common/topic';

/** The MQTT filter cover test, shared with the sensor-input (nodes/common/topic.ts). */
export { covered };

export type BrokerRole = 'app' | 'operator' | 'device' | 'anonymous';

export interface BrokerClient {
  role: BrokerRole;
  username?: string;
}

/** Telemetry topics of every seed layout: what an anonymous loopback device may publish (and read). */
export const TELEMETRY = ['sensors/#', 'sensor/#', 'lifecompanion/sensors/#', 'lifecompanion/devices/+/status', 'devices/+/telemetry', 'devices/+/status'];

/**
 * The firmware topics the shipped telemetry flow subscribes to (flows/telemetry.json), which an
 * anonymous loopback client may also publish. Some trees also carry that firmware's own commands
 * (`zigbee2mqtt/<name>/set`, `zwave/.../set`): on loopback only, and documented in docs/security.md.
 */
export const FIRMWARE_TELEMETRY = [
  'zigbee2mqtt/#',
  'tele/#',
  'stat/#',
  'shellies/#',
  '+/status/#',
  '+/events/rpc',
  '+/online',
  '+/sensor/+/state',
  '+/binary_sensor/+/state',
  '+/text_sensor/+/state',
  '+/switch/+/state',
  '+/light/+/state',
  '+/fan/+/state',
  '+/cover/+/state',
  '+/lock/+/state',
  '+/valve/+/state',
  '+/number/+/state',
  '+/select/+/state',
  '+/climate/+/+/state',
  'v3/+/devices/+/up',
  'application/+/device/+/event/up',
  'application/+/device/+/event/status',
  'homeassistant/+/+/state',
  'homeassistant/+/+/config',
  'homeassistant/+/+/+/config',
  'owntracks/+/+',
  'owntracks/+/+/event',
  'ruuvi/#',
  'zwave/#',
];

/**
 * The firmware command topics the API's relay commands publish (app/api/relay-commands.ts): the
 * app's login needs write on these, and nothing broader, in an external broker's ACL
 * (docker/mosquitto/acl). Zigbee2MQTT names of up to three levels.
 */
export const RELAY_COMMANDS = [
  ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => `cmnd/+/POWER${n}`),
  'shellies/+/relay/+/command',
  '+/rpc',
  '+/switch/+/command',
  'zigbee2mqtt/+/set',
  'zigbee2mqtt/+/+/set',
  'zigbee2mqtt/+/+/+/set',
];

interface Rules {
  read: string[];
  write: string[];
  /** Never, whatever read or write allow (a firmware pattern such as `+/status/#` must not reach control or commands). */
  deny?: string[];
}

const RULES: Record<BrokerRole, Rules> = {
  app: { read: ['#'], write: ['#'] },
  // Dashboards and tools of the people running the system: control and commands.
  operator: {
    read: [...TELEMETRY, 'lifecompanion/#', 'devices/#', 'alerts/#', 'commands/#'],
    write: ['alerts/control/#', 'commands/#'],
  },
  // As the Mosquitto ACL's patterns: own sensor topics, own commands.
  device: {
    read: ['commands/%u/#', 'commands/esp32/%u/control', 'lifecompanion/devices/%u/commands', 'devices/%u/commands'],
    write: [
      'sensors/%u/#',
      'sensors/esp32/%u/#',
      'lifecompanion/sensors/%u/#',
      'lifecompanion/devices/%u/status',
      'devices/%u/telemetry',
      'devices/%u/status',
      'commands/%u/+/ack',
      'commands/esp32/%u/control/ack',
    ],
  },
  anonymous: { read: TELEMETRY, write: [...TELEMETRY, ...FIRMWARE_TELEMETRY], deny: ['alerts/#', 'commands/#', '$SYS/#'] },
};

/** A user name usable in `%u`: no topic separators or wildcards. */
export const DEVICE_NAME_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

function allowed(client: BrokerClient, kind: 'read' | 'write', topic: string): boolean {
  const rules = RULES[client.role][kind];
  const user = client.username || '';
  if (RULES[client.role].deny?.some((d) => covered(d, topic))) return false;
  if (rules.some((r) => r.includes('%u')) && client.role === 'device' && !DEVICE_NAME_RE.test(user)) return false;
  return rules.some((r) => covered(r.replace(/%u/g, user), topic));
}

export const mayPublish = (client: BrokerClient, topic: string): boolean => allowed(client, 'write', topic);
export const maySubscribe = (client: BrokerClient, filter: string): boolean => allowed(client, 'read', filter);
