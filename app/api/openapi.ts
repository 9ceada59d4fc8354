/**
 * The HTTP API's OpenAPI 3.0 document, served at /api/openapi.json. It is also
 * the API's route table and request schema: routes.ts mounts one handler per
 * operationId and validate.ts checks parameters and bodies against it (ajv).
 */

/** The parts of OpenAPI 3.0 this document uses (a schema is plain JSON Schema, no `nullable`). */
export type JsonSchema = Record<string, unknown>;
export interface Parameter {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  description?: string;
  schema: JsonSchema;
}
export interface Operation {
  operationId: string;
  summary: string;
  tags: string[];
  /** Changes state: needs an admin or operator login when logins are on. */
  'x-write'?: boolean;
  parameters?: Parameter[];
  /** `text/csv`, when given, is taken as text (the registry import); everything else is read as JSON. */
  requestBody?: { required: boolean; content: { 'application/json': { schema: JsonSchema }; 'text/csv'?: { schema: JsonSchema } } };
  responses: Record<string, { description: string; content?: Record<string, { schema: JsonSchema }> }>;
}
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export interface OpenApiDocument {
  openapi: '3.0.3';
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string }>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, JsonSchema> };
  security: Array<Record<string, string[]>>;
  paths: Record<string, Partial<Record<Method, Operation>>>;
}

const ID = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f/]+$' };
/** A device id as the normalizer accepts it (a Zigbee2MQTT name may hold `/`: send it as %2F). */
const DEVICE_ID = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[^\\u0000-\\u001f\\u007f]+$' };
const path = (name: string, description: string): Parameter => ({ name, in: 'path', required: true, description, schema: ID });
const devicePath: Parameter = { name: 'id', in: 'path', required: true, description: 'device id (URL-encoded)', schema: DEVICE_ID };
const query = (name: string, schema: JsonSchema, description: string, required = false): Parameter => ({ name, in: 'query', required, description, schema });
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const ok = (description: string, schema: JsonSchema) => ({ description, content: json(schema) });
const ERR = ref('Error');
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), ok(ERROR_TEXT[c], ERR)]));
const ERROR_TEXT: Record<number, string> = {
  400: 'bad input; `field` names it',
  401: 'login required',
  403: 'the login may not change state (viewer): an operator or admin login is needed',
  404: 'unknown id',
  413: 'body too large, or more rows than the registry holds (REGISTRY_MAX_DEVICES)',
  409: 'the alert is not in a state that allows this',
  429: 'rate limited (servo: one command per device per rateLimitMs)',
  502: 'the database failed the query',
  500: 'the registry file could not be written; nothing changed',
  503: 'no runtime node can serve this (not deployed, disabled or misconfigured); `error` says which',
  504: 'not settled in time: with REDIS_URL the shared alert state did not answer within ALERT_ACTION_TIMEOUT_S (the action stays queued)',
};

const TIME = {
  anyOf: [
    { type: 'string', maxLength: 40 },
    { type: 'number', minimum: 0 },
  ],
};
const RANGE = [
  query('metric', { type: 'string', minLength: 1, maxLength: 256 }, 'field (metric) name', true),
  query('measurement', { type: 'string', maxLength: 256 }, 'measurement (sensorType); default every one'),
  query('start', TIME, '-1h, 7d (before now), an ISO date or epoch ms; default -1h'),
  query('stop', TIME, 'same forms as start; default now'),
  query('limit', { type: 'integer', minimum: 1, maximum: 100000 }, 'rows at most; default 1000'),
];

const SERVO_BODY: JsonSchema = {
  type: 'object',
  description: 'One of direction, angle or action "sweep" (the Pi seed\'s body is {"direction":"left"}).',
  properties: {
    direction: { type: 'string', enum: ['left', 'right', 'center'] },
    angle: { type: 'number', minimum: 0, maximum: 180 },
    action: { type: 'string', enum: ['sweep', 'move', 'set_angle'] },
  },
  anyOf: [{ required: ['direction'] }, { required: ['angle'] }, { required: ['action'] }],
};

export const OPENAPI: OpenApiDocument = {
  openapi: '3.0.3',
  info: {
    title: 'IoT flow engine API',
    version: '1.0.0',
    description:
      'Devices, readings, alerts, rules, commands and recordings of the running flows, and a live event stream (Server-Sent Events). See docs/api.md.',
  },
  servers: [{ url: '/api' }],
  components: {
    securitySchemes: {
      basic: {
        type: 'http',
        scheme: 'basic',
        description:
          'The dashboard login (ADMIN_/OPERATOR_/VIEWER_PASSWORD_HASH or the users file); not needed when no login is configured. Viewers may only read.',
      },
    },
    schemas: {
      Error: { type: 'object', required: ['error'], properties: { error: { type: 'string' }, field: { type: 'string' } } },
      Metric: { type: 'object', properties: { value: { type: 'number' }, unit: { type: 'string' }, ts: { type: 'integer' }, sensorType: { type: 'string' } } },
      Device: {
        type: 'object',
        properties: {
          deviceId: { type: 'string' },
          sensorTypes: { type: 'array', items: { type: 'string' } },
          lastSeen: { type: 'integer' },
          online: {
            type: 'boolean',
            description:
              'availability announcement when the device has one (Z2M availability, Tasmota LWT, ESPHome / Shelly status), else seen within OFFLINE_AFTER_S',
          },
          onlineSource: { type: 'string', enum: ['availability', 'silence'] },
          availabilityAt: { type: 'integer', description: 'epoch ms of the last availability announcement (or data since)' },
          lastEvent: { type: 'object', properties: { type: { type: 'string' }, ts: { type: 'integer' } } },
          metrics: { type: 'object', additionalProperties: ref('Metric') },
          name: { type: 'string', description: 'from the registry, when registered' },
          location: { type: 'string' },
          type: { type: 'string' },
          owner: { type: 'string' },
        },
      },
      RegistryEntry: {
        type: 'object',
        description: "A device's registry entry (docs/registry.md). Text is trimmed; no control characters.",
        properties: {
          id: DEVICE_ID,
          name: { type: 'string', maxLength: 100 },
          location: { type: 'string', maxLength: 200 },
          type: { type: 'string', maxLength: 64 },
          owner: { type: 'string', maxLength: 100 },
          updatedAt: { type: 'integer', description: 'epoch ms of the last change (answers only)' },
        },
      },
      RegistryFields: {
        type: 'object',
        description:
          'PUT: the whole entry (fields left out are cleared). PATCH: only the fields given change. "" clears a field. An entry with no field left is removed.',
        additionalProperties: false,
        properties: {
          id: { type: 'string', description: 'optional; must be the id of the path' },
          name: { type: 'string', maxLength: 100 },
          location: { type: 'string', maxLength: 200 },
          type: { type: 'string', maxLength: 64 },
          owner: { type: 'string', maxLength: 100 },
        },
      },
      ImportResult: {
        type: 'object',
        properties: {
          rows: { type: 'integer' },
          added: { type: 'integer' },
          updated: { type: 'integer' },
          unchanged: { type: 'integer' },
          errors: {
            type: 'array',
            description: 'one per problem; the rows without one went in',
            items: {
              type: 'object',
              properties: {
                row: { type: 'integer', description: '1-based data row (CSV: after the header)' },
                line: { type: 'integer', description: 'CSV: line of the file' },
                id: { type: 'string' },
                field: { type: 'string' },
                error: { type: 'string' },
              },
            },
          },
        },
      },
      Alert: {
        type: 'object',
        description: 'The Alert of the message contract plus lifecycle fields (acknowledgedBy, reason, ...).',
        properties: {
          id: { type: 'string' },
          ruleId: { type: 'string' },
          deviceId: { type: 'string' },
          metric: { type: 'string' },
          device: {
            type: 'object',
            description: 'the device with its registry name and location (each null when not registered)',
            properties: { id: { type: 'string' }, name: { type: 'string' }, location: { type: 'string' } },
          },
          value: { type: 'number' },
          threshold: { type: 'number' },
          severity: { type: 'string', enum: ['info', 'warning', 'critical'] },
          state: { type: 'string', enum: ['pending', 'firing', 'acknowledged', 'resolved'] },
          since: { type: 'integer' },
          title: { type: 'string' },
          text: { type: 'string' },
          node: { type: 'string', description: 'threshold-alert node id' },
        },
      },
      AlertAction: {
        type: 'object',
        additionalProperties: false,
        properties: {
          by: { type: 'string', minLength: 1, maxLength: 100, description: 'who; default the login name' },
          reason: { type: 'string', maxLength: 500 },
        },
      },
      Rules: { type: 'array', maxItems: 1000, items: { type: 'object' }, description: "threshold-alert rules (see the node's help)" },
      Command: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          deviceId: { type: 'string' },
          action: { type: 'string' },
          params: { type: 'object' },
          createdAt: { type: 'integer' },
          expiresAt: { type: 'integer' },
          status: { type: 'string', enum: ['pending', 'sent', 'acknowledged', 'executed', 'failed', 'expired'] },
          reason: { type: 'string' },
          topic: { type: 'string', description: 'config and relay commands: the MQTT topic it was published on' },
        },
      },
      ServoRequest: SERVO_BODY,
      DeviceCommand: {
        type: 'object',
        required: ['type'],
        description:
          'servo: params as POST /cameras/{id}/servo. set_interval: params {interval: 1-86400 s}. set_config: params of 1-20 settings (name -> number, boolean or string). ' +
          'Config commands go out at QoS 1 on commands/{id}/config (layout pi, the default) or lifecompanion/devices/{id}/commands (layout lifecompanion); ' +
          'or commands/esp32/{id}/control (layout esp32); ' +
          'devices acknowledge on commands/{id}/config/ack (esp32: commands/esp32/{id}/control/ack) with {id, status: acknowledged|executed|failed, reason}. ' +
          'relay: params {state: ON|OFF|TOGGLE, channel: 0-7 (default 0), name (esphome: the switch object id), endpoint (zigbee2mqtt, e.g. l1)} with firmware ' +
          'tasmota (cmnd/{id}/POWER<channel+1>), shelly (shellies/{id}/relay/<channel>/command), shelly-gen2 ({id}/rpc Switch.Set / Switch.Toggle), ' +
          'esphome ({id}/switch/<name>/command) or zigbee2mqtt (zigbee2mqtt/{id}/set {"state": ...}); ttlSec default 60. ' +
          "It becomes executed when the device's next state message (as the normalizer decodes it) shows the new state, expired otherwise.",
        properties: {
          type: { type: 'string', enum: ['servo', 'set_interval', 'set_config', 'relay'] },
          params: { type: 'object' },
          layout: { type: 'string', enum: ['pi', 'lifecompanion', 'esp32'] },
          firmware: {
            type: 'string',
            enum: ['tasmota', 'shelly', 'shelly-gen2', 'esphome', 'zigbee2mqtt'],
            description: "relay: the device's firmware (its command topic)",
          },
          ttlSec: { type: 'integer', minimum: 1, maximum: 86400 },
        },
        additionalProperties: false,
      },
      Row: {
        type: 'object',
        description: 'One point (range) or one window and function (aggregate)',
        properties: {
          ts: { type: 'integer', description: 'epoch ms (window start)' },
          deviceId: { type: 'string' },
          metric: { type: 'string' },
          value: {},
          fn: { type: 'string' },
          measurement: { type: 'string' },
        },
      },
      AuditEntry: {
        type: 'object',
        description: 'One ack, resolve, arm, rule change, command or registry change: who, when, from where, what.',
        properties: {
          ts: { type: 'string', description: 'ISO time' },
          user: { type: 'string' },
          role: { type: 'string', description: 'admin, operator, viewer; the broker role for MQTT (operator, device); none when no login is configured' },
          from: { type: 'string', description: 'remote address, mqtt:<clientId>, or mqtt (external broker: publisher unknown)' },
          action: { type: 'string', enum: ['ack', 'resolve', 'arm', 'rules', 'command', 'record', 'registry'] },
          target: { type: 'string', description: 'alert id, threshold-alert node id, device or camera id; `import` for a registry import' },
          detail: { type: 'string' },
          outcome: { type: 'string', enum: ['accepted', 'refused'] },
        },
      },
      Me: {
        type: 'object',
        properties: {
          username: { type: 'string', description: 'null when no login is configured' },
          role: { type: 'string', enum: ['admin', 'operator', 'viewer'] },
          loginRequired: { type: 'boolean' },
        },
      },
      Recording: {
        type: 'object',
        properties: {
          camera: { type: 'string' },
          file: { type: 'string' },
          size: { type: 'integer' },
          mtime: { type: 'string' },
          url: { type: 'string' },
          thumbnailUrl: { type: 'string' },
        },
      },
    },
  },
  security: [{ basic: [] }],
  paths: {
    '/openapi.json': {
      get: { operationId: 'openapi', summary: 'This document', tags: ['meta'], responses: { 200: ok('OpenAPI 3.0 document', { type: 'object' }) } },
    },
    '/devices': {
      get: {
        operationId: 'listDevices',
        summary: 'Devices seen by the dashboard fleet state',
        tags: ['devices'],
        responses: { 200: ok('devices', { type: 'array', items: ref('Device') }), ...errors(503) },
      },
    },
    '/devices/{id}': {
      get: {
        operationId: 'getDevice',
        summary: 'One device',
        tags: ['devices'],
        parameters: [devicePath],
        responses: { 200: ok('the device', ref('Device')), ...errors(400, 404, 503) },
      },
    },
    '/readings/latest': {
      get: {
        operationId: 'latestReadings',
        summary: 'Latest value of every metric, per device',
        tags: ['readings'],
        responses: {
          200: ok('device id -> metrics', { type: 'object', additionalProperties: { type: 'object', additionalProperties: ref('Metric') } }),
          ...errors(503),
        },
      },
    },
    '/devices/{id}/readings/latest': {
      get: {
        operationId: 'deviceLatest',
        summary: 'Latest value of each metric of one device',
        tags: ['readings'],
        parameters: [devicePath],
        responses: { 200: ok('metrics', { type: 'object', additionalProperties: ref('Metric') }), ...errors(400, 404, 503) },
      },
    },
    '/devices/{id}/readings': {
      get: {
        operationId: 'deviceRange',
        summary: 'Raw points of one metric in a time range (InfluxDB)',
        tags: ['readings'],
        parameters: [devicePath, ...RANGE],
        responses: { 200: ok('rows', { type: 'array', items: ref('Row') }), ...errors(400, 502, 503) },
      },
    },
    '/devices/{id}/readings/aggregate': {
      get: {
        operationId: 'deviceAggregate',
        summary: 'One metric in windows (mean, min, max, count) through InfluxDB',
        tags: ['readings'],
        parameters: [
          devicePath,
          ...RANGE,
          query('interval', { type: 'string', maxLength: 20 }, 'window, e.g. 5m, 1h; default 1h'),
          query('fn', { type: 'string', pattern: '^(mean|min|max|count)(,(mean|min|max|count))*$' }, 'comma-separated functions; default mean'),
        ],
        responses: { 200: ok('rows', { type: 'array', items: ref('Row') }), ...errors(400, 502, 503) },
      },
    },
    '/alerts': {
      get: {
        operationId: 'listAlerts',
        summary: 'Active alerts (and recent history) of every threshold-alert node',
        tags: ['alerts'],
        parameters: [query('state', { type: 'string', enum: ['pending', 'firing', 'acknowledged'] }, 'only alerts in this state')],
        responses: {
          200: ok('alerts', { type: 'object', properties: { active: { type: 'array', items: ref('Alert') }, history: { type: 'array' } } }),
          ...errors(400, 503),
        },
      },
    },
    '/alerts/{id}/ack': {
      post: {
        operationId: 'ackAlert',
        summary: 'Acknowledge a firing alert',
        tags: ['alerts'],
        'x-write': true,
        parameters: [path('id', 'alert id')],
        requestBody: { required: false, content: json(ref('AlertAction')) },
        responses: { 200: ok('the alert after the change', ref('Alert')), ...errors(400, 403, 404, 409, 503, 504) },
      },
    },
    '/alerts/{id}/resolve': {
      post: {
        operationId: 'resolveAlert',
        summary: 'Resolve a firing or acknowledged alert',
        tags: ['alerts'],
        'x-write': true,
        parameters: [path('id', 'alert id')],
        requestBody: { required: false, content: json(ref('AlertAction')) },
        responses: { 200: ok('the alert as resolved', ref('Alert')), ...errors(400, 403, 404, 409, 503, 504) },
      },
    },
    '/rules': {
      get: {
        operationId: 'getRules',
        summary: 'Rules of every threshold-alert node',
        tags: ['rules'],
        responses: { 200: ok('node id -> rules', { type: 'object', additionalProperties: ref('Rules') }), ...errors(503) },
      },
    },
    '/rules/{node}': {
      get: {
        operationId: 'getNodeRules',
        summary: 'Rules of one threshold-alert node',
        tags: ['rules'],
        parameters: [path('node', 'threshold-alert node id')],
        responses: { 200: ok('rules', ref('Rules')), ...errors(404, 503) },
      },
      put: {
        operationId: 'putNodeRules',
        summary: "Replace the rules of one node (kept until its dialog's rules change)",
        tags: ['rules'],
        'x-write': true,
        parameters: [path('node', 'threshold-alert node id')],
        requestBody: { required: true, content: json(ref('Rules')) },
        responses: { 200: ok('the rules now in force', ref('Rules')), ...errors(400, 403, 404, 503) },
      },
    },
    '/cameras/{id}/servo': {
      post: {
        operationId: 'cameraServo',
        summary: "Move a camera's servo (the Pi seed's test 3)",
        tags: ['commands'],
        'x-write': true,
        parameters: [path('id', 'camera (device) id')],
        requestBody: { required: true, content: json(ref('ServoRequest')) },
        responses: { 202: ok('the command, sent', ref('Command')), ...errors(400, 403, 429, 503) },
      },
    },
    '/devices/{id}/commands': {
      get: {
        operationId: 'listDeviceCommands',
        summary: "A device's recent commands sent through this API, newest first, with their status now (the dashboard's Devices page shows them)",
        tags: ['commands'],
        parameters: [devicePath, query('limit', { type: 'integer', minimum: 1, maximum: 200 }, 'commands at most; default 20')],
        responses: { 200: ok('commands', { type: 'array', items: ref('Command') }), ...errors(400) },
      },
      post: {
        operationId: 'deviceCommand',
        summary: 'Send a command to a device',
        tags: ['commands'],
        'x-write': true,
        parameters: [devicePath],
        requestBody: { required: true, content: json(ref('DeviceCommand')) },
        responses: { 202: ok('the command, sent', ref('Command')), ...errors(400, 403, 429, 503) },
      },
    },
    '/devices/{id}/registry': {
      get: {
        operationId: 'getDeviceRegistry',
        summary: "A device's registry entry (name, location, type, owner)",
        tags: ['registry'],
        parameters: [devicePath],
        responses: { 200: ok('the entry', ref('RegistryEntry')), ...errors(400, 404, 503) },
      },
      put: {
        operationId: 'putDeviceRegistry',
        summary: "Set a device's entry (fields left out are cleared)",
        tags: ['registry'],
        'x-write': true,
        parameters: [devicePath],
        requestBody: { required: true, content: json(ref('RegistryFields')) },
        responses: { 200: ok('the entry now ({id} alone when nothing is registered)', ref('RegistryEntry')), ...errors(400, 403, 500, 503) },
      },
      patch: {
        operationId: 'patchDeviceRegistry',
        summary: "Change some fields of a device's entry",
        tags: ['registry'],
        'x-write': true,
        parameters: [devicePath],
        requestBody: { required: true, content: json(ref('RegistryFields')) },
        responses: { 200: ok('the entry now', ref('RegistryEntry')), ...errors(400, 403, 500, 503) },
      },
      delete: {
        operationId: 'deleteDeviceRegistry',
        summary: "Remove a device's entry",
        tags: ['registry'],
        'x-write': true,
        parameters: [devicePath],
        responses: {
          200: ok('removed', { type: 'object', properties: { id: { type: 'string' }, deleted: { type: 'boolean' } } }),
          ...errors(400, 403, 404, 500, 503),
        },
      },
    },
    '/registry/import': {
      post: {
        operationId: 'importRegistry',
        tags: ['registry'],
        'x-write': true,
        summary:
          'Import devices: a JSON array (or {devices: [...]}) of entries, or CSV (Content-Type: text/csv) with a header row id,name,location,type,owner. A row sets the fields it carries (an empty one clears it) and leaves the others; a bad row is reported and the others go in. Up to 32 MB.',
        requestBody: {
          required: true,
          content: {
            ...json({
              anyOf: [
                { type: 'array', items: { type: 'object' } },
                { type: 'object', required: ['devices'], properties: { devices: { type: 'array', items: { type: 'object' } } } },
              ],
            }),
            'text/csv': { schema: { type: 'string' } },
          },
        },
        responses: { 200: ok('counts and the problems per row', ref('ImportResult')), ...errors(400, 403, 413, 500, 503) },
      },
    },
    '/registry/export': {
      get: {
        operationId: 'exportRegistry',
        summary: 'Every registry entry, by id: JSON, or CSV that imports back',
        tags: ['registry'],
        parameters: [query('format', { type: 'string', enum: ['json', 'csv'] }, 'json (default) or csv')],
        responses: {
          200: { description: 'entries', content: { ...json({ type: 'array', items: ref('RegistryEntry') }), 'text/csv': { schema: { type: 'string' } } } },
          ...errors(400, 503),
        },
      },
    },
    '/commands/{id}': {
      get: {
        operationId: 'getCommand',
        summary: 'Status of a command sent through this API',
        tags: ['commands'],
        parameters: [path('id', 'command id')],
        responses: { 200: ok('the command', ref('Command')), ...errors(404) },
      },
    },
    '/me': {
      get: {
        operationId: 'me',
        summary: "The caller's login and role (the dashboard shows or hides its controls by it)",
        tags: ['meta'],
        responses: { 200: ok('login', ref('Me')) },
      },
    },
    '/audit': {
      get: {
        operationId: 'listAudit',
        summary: 'The audit record, newest first: every ack, resolve, arm, rule change and command',
        tags: ['audit'],
        parameters: [
          query('limit', { type: 'integer', minimum: 1, maximum: 5000 }, 'entries at most; default 100'),
          query('action', { type: 'string', enum: ['ack', 'resolve', 'arm', 'rules', 'command', 'record', 'registry'] }, 'only this action'),
          query('user', { type: 'string', maxLength: 100 }, 'only this user'),
        ],
        responses: { 200: ok('entries', { type: 'array', items: ref('AuditEntry') }), ...errors(400, 503) },
      },
    },
    '/recordings': {
      get: {
        operationId: 'listRecordings',
        summary: 'Camera recordings, newest first',
        tags: ['recordings'],
        parameters: [query('camera', { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$' }, 'only this camera')],
        responses: { 200: ok('recordings', { type: 'array', items: ref('Recording') }), ...errors(400) },
      },
    },
    '/events/stream': {
      get: {
        operationId: 'eventStream',
        summary: 'Live events (Server-Sent Events): reading, alert, motion, event, command',
        tags: ['events'],
        parameters: [
          query(
            'types',
            { type: 'string', pattern: '^(reading|alert|motion|event|command)(,(reading|alert|motion|event|command))*$' },
            'comma-separated event types; default all',
          ),
        ],
        responses: {
          200: { description: "text/event-stream; each event's data is JSON", content: { 'text/event-stream': { schema: { type: 'string' } } } },
          ...errors(400),
        },
      },
    },
  },
};
