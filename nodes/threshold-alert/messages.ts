/**
 * What an input message asks for: a reading to evaluate, or a control message
 * (rules, ack, resolve, list, arm/mode), validated with errors naming every
 * bad field. No node-red import.
 */
import { ValidationError } from '../common/errors';
import type { Reading } from '../common/types';
import type { ActionRequest } from './engine';
import { Rule, validateRules } from './rules';

export type Input =
  | { kind: 'reading'; reading: Reading }
  /** A batch from the normalizer's output 3; `invalid` names the items that are not Readings. */
  | { kind: 'readings'; readings: Reading[]; invalid: string[] }
  | { kind: 'rules'; rules: Rule[] }
  | { kind: 'action'; req: ActionRequest }
  | { kind: 'list' }
  | { kind: 'arm'; armed: boolean };

const ACTIONS: Record<string, 'ack' | 'resolve'> = { ack: 'ack', acknowledge: 'ack', resolve: 'resolve' };
const ARM_WORDS: Record<string, boolean> = {
  true: true,
  on: true,
  arm: true,
  armed: true,
  surveillance: true,
  false: false,
  off: false,
  disarm: false,
  disarmed: false,
  actif: false,
  active: false,
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sorts a message into a reading or a control request; throws ValidationError. */
export function classify(msg: { topic?: unknown; payload?: unknown }): Input {
  const topic = typeof msg.topic === 'string' ? msg.topic.toLowerCase() : '';
  const p = msg.payload;
  if (topic === 'rules') {
    let rules = p;
    if (typeof p === 'string') {
      try {
        rules = JSON.parse(p);
      } catch (err) {
        throw new ValidationError(`rules: payload is not valid JSON (${(err as Error).message})`, 'payload');
      }
    }
    return { kind: 'rules', rules: validateRules(rules) };
  }
  const action = isObj(p) && typeof p.action === 'string' ? p.action.toLowerCase() : undefined;
  if (topic === 'list' || action === 'list') return { kind: 'list' };
  if (topic === 'arm' || topic === 'mode') return { kind: 'arm', armed: armValue(p) };
  if (ACTIONS[topic] || (action !== undefined && ACTIONS[action])) return { kind: 'action', req: parseAction(topic, p) };
  if (isObj(p) && p.action !== undefined) {
    throw new ValidationError(`payload.action must be one of ack, resolve, list (got ${JSON.stringify(p.action)})`, 'action');
  }
  if (Array.isArray(p)) return parseBatch(p);
  return { kind: 'reading', reading: parseReading(p) };
}

function armValue(p: unknown): boolean {
  const v = isObj(p) ? (p.armed ?? p.mode) : p;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && v.toLowerCase() in ARM_WORDS) return ARM_WORDS[v.toLowerCase()];
  throw new ValidationError(`arm: payload must be true/false or one of ${Object.keys(ARM_WORDS).join(', ')} (got ${JSON.stringify(v)})`, 'payload');
}

/** `{topic:"ack", payload:{alertId, by, reason}}` or `{payload:{action:"resolve", ...}}`. */
export function parseAction(topic: string, p: unknown): ActionRequest {
  if (!isObj(p)) throw new ValidationError(`${topic || 'action'}: payload must be an object {alertId, by, reason} (got ${JSON.stringify(p)})`, 'payload');
  const fromTopic = ACTIONS[topic];
  const fromPayload = typeof p.action === 'string' ? ACTIONS[p.action.toLowerCase()] : undefined;
  const errors: string[] = [];
  if (fromTopic && fromPayload && fromTopic !== fromPayload) errors.push(`payload.action "${String(p.action)}" contradicts topic "${topic}"`);
  const action = (fromPayload ?? fromTopic) as 'ack' | 'resolve';
  const text = (field: string, max: number, required: boolean): string | undefined => {
    const v = p[field];
    if (v === undefined || v === null || v === '') {
      if (required) errors.push(`payload.${field} is required`);
      return undefined;
    }
    if (typeof v !== 'string') {
      errors.push(`payload.${field} must be a string (got ${JSON.stringify(v)})`);
      return undefined;
    }
    if (v.length > max) {
      errors.push(`payload.${field} is longer than ${max} characters`);
      return undefined;
    }
    return v.trim();
  };
  const alertId = text('alertId', 200, false);
  const ruleId = text('ruleId', 64, false);
  const deviceId = text('deviceId', 200, false);
  const by = text('by', 100, true);
  const reason = text('reason', 500, false);
  if (alertId === undefined && (ruleId === undefined || deviceId === undefined)) {
    errors.push('payload.alertId is required (or both payload.ruleId and payload.deviceId)');
  }
  if (errors.length) throw new ValidationError(`${action === 'ack' ? 'ack' : 'resolve'}: ${errors.join('; ')}`, 'payload');
  const req: ActionRequest = { action, by: by as string };
  if (alertId !== undefined) req.alertId = alertId;
  else Object.assign(req, { ruleId, deviceId });
  if (reason !== undefined) req.reason = reason;
  return req;
}

/** A batch of Readings: the good ones are evaluated, the others named (at most 3, then a count). */
function parseBatch(items: unknown[]): Input {
  const readings: Reading[] = [];
  const invalid: string[] = [];
  for (let i = 0; i < items.length; i++) {
    try {
      readings.push(parseReading(items[i]));
    } catch (err) {
      invalid.push(`payload[${i}]: ${(err as Error).message.replace(/^payload /, '')}`);
    }
  }
  return { kind: 'readings', readings, invalid };
}

/** Checks the Reading shape the normalizer produces. */
export function parseReading(p: unknown): Reading {
  if (!isObj(p))
    throw new ValidationError(
      `payload must be a Reading object (got ${p === null ? 'null' : typeof p}); control topics are rules, ack, resolve, list, arm`,
      'payload',
    );
  const errors: string[] = [];
  if (typeof p.deviceId !== 'string' || p.deviceId === '') errors.push('deviceId must be a non-empty string');
  if (typeof p.sensorType !== 'string') errors.push('sensorType must be a string');
  if (!isObj(p.metrics)) errors.push('metrics must be an object of name -> number');
  if (p.event !== undefined && !(isObj(p.event) && typeof p.event.type === 'string')) errors.push('event.type must be a string');
  if (errors.length) throw new ValidationError(`payload is not a Reading: ${errors.join('; ')}`, 'payload');
  return p as unknown as Reading;
}
