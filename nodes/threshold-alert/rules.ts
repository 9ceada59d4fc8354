/**
 * Alert rules: their shape, validation (every bad field reported at once) and
 * the comparison operators. No node-red import: unit-tested directly.
 */
import { ValidationError } from '../common/errors';
import { SEVERITIES, Severity } from '../common/types';

export const OPERATORS = ['>', '>=', '<', '<=', '==', '!=', 'between', 'outside'] as const;
export type Operator = (typeof OPERATORS)[number];
export type Limit = number | [number, number];

interface RuleBase {
  /** Unique id; one alert per rule and device at a time. */
  id: string;
  /** Human name used in alert titles; defaults to the id. */
  name?: string;
  severity: Severity;
  enabled: boolean;
  /** Device id, exact or with `*` wildcards (`ruuvi_*`); unset matches every device. */
  deviceId?: string;
  /** Sensor type (exact); unset matches every type. */
  sensorType?: string;
  /** Seconds between `repeated` transitions while firing and not acknowledged; 0 = never. */
  repeat: number;
  /** Optional alert title; `{deviceId}`, `{metric}`, `{value}`, `{threshold}`, `{rule}` are filled in. */
  title?: string;
}

/** Fires while a metric compares badly with a threshold. */
export interface ThresholdRule extends RuleBase {
  kind: 'threshold';
  metric: string;
  operator: Operator;
  /** A number, or `[low, high]` for `between` / `outside`. */
  threshold: Limit;
  /** Hysteresis: the alert ends only once the value no longer compares badly with this limit. */
  clear?: Limit;
  /** Seconds the condition must hold (pending) before the alert fires. */
  for: number;
  /** Seconds the alert keeps firing after the condition cleared. */
  keepFiring: number;
}

/** Fires on a discrete event (e.g. `motion_detected`), optionally only while the site is armed. */
export interface EventRule extends RuleBase {
  kind: 'event';
  /** Event type, exact or with `*` wildcards. */
  eventType: string;
  /** Only while the site is armed (surveillance mode). */
  whileArmed: boolean;
  /** Seconds without a new matching event after which the alert resolves itself; 0 = only by hand. */
  keepFiring: number;
}

/** Fires when a device (or one of its metrics) has been silent for `after` seconds. */
export interface StalenessRule extends RuleBase {
  kind: 'staleness';
  /** Seconds of silence. */
  after: number;
  /** Only readings carrying this metric count; unset = any reading. */
  metric?: string;
  /**
   * Seconds a device announced offline (availability: Z2M, Tasmota LWT, ESPHome / Shelly status)
   * must stay offline before the alert fires; unset = at once. Silence still counts by `after`.
   */
  for?: number;
}

export type Rule = ThresholdRule | EventRule | StalenessRule;

/** Rules matching the seeds' devices; the dialog starts with these. */
export const DEFAULT_RULES: readonly Rule[] = Object.freeze([
  {
    id: 'temperature-high',
    name: 'Temperature high',
    kind: 'threshold',
    metric: 'temperature',
    operator: '>',
    threshold: 25,
    clear: 24,
    for: 60,
    keepFiring: 0,
    repeat: 0,
    severity: 'warning',
    enabled: true,
  },
  {
    id: 'humidity-range',
    name: 'Humidity out of range',
    kind: 'threshold',
    metric: 'humidity',
    operator: 'outside',
    threshold: [30, 70],
    clear: [32, 68],
    for: 60,
    keepFiring: 0,
    repeat: 0,
    severity: 'warning',
    enabled: true,
  },
  {
    id: 'battery-low',
    name: 'Battery low',
    kind: 'threshold',
    metric: 'battery',
    operator: '<',
    threshold: 20,
    clear: 25,
    for: 0,
    keepFiring: 0,
    repeat: 86400,
    severity: 'warning',
    enabled: true,
  },
  {
    id: 'heart-rate',
    name: 'Heart rate abnormal',
    kind: 'threshold',
    metric: 'heart_rate',
    operator: 'outside',
    threshold: [40, 140],
    clear: [45, 130],
    for: 10,
    keepFiring: 30,
    repeat: 300,
    severity: 'critical',
    enabled: true,
  },
  {
    id: 'spo2-low',
    name: 'SpO2 low',
    kind: 'threshold',
    metric: 'spo2',
    operator: '<',
    threshold: 92,
    clear: 94,
    for: 10,
    keepFiring: 30,
    repeat: 300,
    severity: 'critical',
    enabled: true,
  },
  { id: 'device-silent', name: 'Device silent', kind: 'staleness', after: 120, repeat: 0, severity: 'warning', enabled: true },
  {
    id: 'motion-armed',
    name: 'Motion while armed',
    kind: 'event',
    eventType: 'motion_detected',
    whileArmed: true,
    keepFiring: 300,
    repeat: 0,
    severity: 'critical',
    enabled: true,
  },
  {
    id: 'fall-detected',
    name: 'Fall detected',
    kind: 'event',
    eventType: 'fall',
    whileArmed: false,
    keepFiring: 0,
    repeat: 300,
    severity: 'critical',
    enabled: true,
  },
] as Rule[]);

/** Whether `value` compares badly with `limit`. */
export function compare(op: Operator, value: number, limit: Limit): boolean {
  if (op === 'between' || op === 'outside') {
    const [lo, hi] = limit as [number, number];
    const inside = value >= lo && value <= hi;
    return op === 'between' ? inside : !inside;
  }
  const t = limit as number;
  switch (op) {
    case '>':
      return value > t;
    case '>=':
      return value >= t;
    case '<':
      return value < t;
    case '<=':
      return value <= t;
    case '==':
      return value === t;
    case '!=':
      return value !== t;
  }
  return false;
}

/** `ruuvi_*` -> predicate. Exact strings compare directly (the common, cheap case). */
export function compileWildcard(pattern: string | undefined): (s: string) => boolean {
  if (pattern === undefined || pattern === '*') return () => true;
  if (!pattern.includes('*')) return (s) => s === pattern;
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return (s) => re.test(s);
}

const ID_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
const KINDS = ['threshold', 'event', 'staleness'];
const KNOWN: Record<string, string[]> = {
  common: ['id', 'name', 'kind', 'severity', 'enabled', 'deviceId', 'sensorType', 'repeat', 'title'],
  threshold: ['metric', 'operator', 'threshold', 'clear', 'for', 'keepFiring'],
  event: ['eventType', 'whileArmed', 'keepFiring'],
  staleness: ['after', 'metric', 'for'],
};

type Obj = Record<string, unknown>;

/** Validates one rule; pushes `rules[i].field: problem` lines to `errors`. */
function checkRule(raw: unknown, at: string, errors: string[]): Rule | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    errors.push(`${at}: must be an object`);
    return undefined;
  }
  const r = raw as Obj;
  const before = errors.length;
  const bad = (field: string, problem: string): void => {
    errors.push(`${at}.${field}: ${problem}`);
  };
  const kind = r.kind === undefined ? 'threshold' : r.kind;
  if (typeof kind !== 'string' || !KINDS.includes(kind)) bad('kind', `must be one of ${KINDS.join(', ')} (got ${JSON.stringify(r.kind)})`);
  const str = (field: string, required: boolean): string | undefined => {
    const v = r[field];
    if (v === undefined || v === '') {
      if (required) bad(field, 'is required');
      return undefined;
    }
    if (typeof v !== 'string') {
      bad(field, `must be a string (got ${JSON.stringify(v)})`);
      return undefined;
    }
    return v;
  };
  const seconds = (field: string, dflt: number, min = 0): number => {
    const v = r[field];
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
      bad(field, `must be a number of seconds >= ${min} (got ${JSON.stringify(v)})`);
      return dflt;
    }
    return v;
  };
  const id = str('id', true);
  if (id !== undefined && !ID_RE.test(id)) bad('id', `must be 1-64 letters, digits, _ . : - (got ${JSON.stringify(id)})`);
  const severity = r.severity === undefined ? 'warning' : r.severity;
  if (!SEVERITIES.includes(severity as Severity)) bad('severity', `must be one of ${SEVERITIES.join(', ')} (got ${JSON.stringify(r.severity)})`);
  if (r.enabled !== undefined && typeof r.enabled !== 'boolean') bad('enabled', `must be true or false (got ${JSON.stringify(r.enabled)})`);
  const known = new Set([...KNOWN.common, ...(KNOWN[kind as string] || [])]);
  for (const key of Object.keys(r)) if (!known.has(key)) bad(key, `is not a field of ${kind === 'event' ? 'an' : 'a'} ${String(kind)} rule`);
  const base = {
    id: id as string,
    name: str('name', false),
    severity: severity as Severity,
    enabled: r.enabled !== false,
    deviceId: str('deviceId', false),
    sensorType: str('sensorType', false),
    repeat: seconds('repeat', 0),
    title: str('title', false),
  };
  let rule: Rule | undefined;
  if (kind === 'threshold') {
    const metric = str('metric', true);
    const op = r.operator as Operator;
    if (!OPERATORS.includes(op)) bad('operator', `must be one of ${OPERATORS.join(' ')} (got ${JSON.stringify(r.operator)})`);
    const threshold = checkLimit(op, r.threshold, 'threshold', bad, true);
    const clear = checkLimit(op, r.clear, 'clear', bad, false);
    if (threshold !== undefined && clear !== undefined) checkClearSide(op, threshold, clear, bad);
    rule = {
      ...base,
      kind,
      metric: metric as string,
      operator: op,
      threshold: threshold as Limit,
      clear,
      for: seconds('for', 0),
      keepFiring: seconds('keepFiring', 0),
    };
  } else if (kind === 'event') {
    const eventType = str('eventType', true);
    if (r.whileArmed !== undefined && typeof r.whileArmed !== 'boolean') bad('whileArmed', `must be true or false (got ${JSON.stringify(r.whileArmed)})`);
    rule = { ...base, kind, eventType: eventType as string, whileArmed: r.whileArmed === true, keepFiring: seconds('keepFiring', 0) };
  } else if (kind === 'staleness') {
    if (r.after === undefined) bad('after', 'is required (seconds of silence)');
    rule = { ...base, kind, after: seconds('after', 0, 1), metric: str('metric', false), for: r.for === undefined ? undefined : seconds('for', 0) };
  }
  return errors.length === before ? stripUndefined(rule as Rule) : undefined;
}

function checkLimit(op: Operator, v: unknown, field: string, bad: (f: string, p: string) => void, required: boolean): Limit | undefined {
  if (v === undefined) {
    if (required) bad(field, 'is required');
    return undefined;
  }
  if (op === '==' || op === '!=') {
    if (field === 'clear') {
      bad(field, `has no meaning for operator "${op}"`);
      return undefined;
    }
  }
  if (op === 'between' || op === 'outside') {
    if (!Array.isArray(v) || v.length !== 2 || !v.every((n) => typeof n === 'number' && Number.isFinite(n)) || v[0] > v[1]) {
      bad(field, `must be [low, high] with low <= high for operator "${op}" (got ${JSON.stringify(v)})`);
      return undefined;
    }
    return [v[0], v[1]];
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    if (OPERATORS.includes(op)) bad(field, `must be a number for operator "${op}" (got ${JSON.stringify(v)})`);
    return undefined;
  }
  return v;
}

/** The clear limit must sit on the healthy side of the threshold, or the alert could never end. */
function checkClearSide(op: Operator, t: Limit, c: Limit, bad: (f: string, p: string) => void): void {
  let ok = true;
  if (op === '>' || op === '>=') ok = (c as number) <= (t as number);
  else if (op === '<' || op === '<=') ok = (c as number) >= (t as number);
  else if (op === 'outside') ok = (c as number[])[0] >= (t as number[])[0] && (c as number[])[1] <= (t as number[])[1];
  else if (op === 'between') ok = (c as number[])[0] <= (t as number[])[0] && (c as number[])[1] >= (t as number[])[1];
  if (!ok) bad('clear', `must be on the normal side of threshold ${JSON.stringify(t)} for operator "${op}" (got ${JSON.stringify(c)})`);
}

function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * Validates a whole rule set. Throws one ValidationError listing every bad
 * field (`rules[2].operator: ...; rules[4].id: duplicate "x"`).
 */
export function validateRules(input: unknown): Rule[] {
  if (!Array.isArray(input)) throw new ValidationError(`rules must be an array of rule objects (got ${input === null ? 'null' : typeof input})`, 'rules');
  const errors: string[] = [];
  const rules: Rule[] = [];
  const seen = new Set<string>();
  input.forEach((raw, i) => {
    const id = (raw as Obj | null)?.id;
    if (typeof id === 'string') {
      if (seen.has(id)) errors.push(`rules[${i}].id: duplicate ${JSON.stringify(id)}`);
      seen.add(id);
    }
    const rule = checkRule(raw, `rules[${i}]`, errors);
    if (rule) rules.push(rule);
  });
  if (errors.length) throw new ValidationError(`invalid rules: ${errors.join('; ')}`, 'rules');
  return rules;
}

/** Parses the dialog's JSON text, then validates it. */
export function parseRulesJson(text: string): Rule[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`rules: not valid JSON (${(err as Error).message})`, 'rules');
  }
  return validateRules(parsed);
}
