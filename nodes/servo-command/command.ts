/**
 * Servo requests -> Commands, the command status machine and the per-device
 * rate limit. Pure: no timers, no node-red.
 */
import { randomUUID } from 'crypto';
import { ValidationError } from '../common/errors';
import type { Command, CommandStatus } from '../common/types';
import type { ServoConfig } from './config';

export type Limits = Pick<ServoConfig, 'leftAngle' | 'centerAngle' | 'rightAngle' | 'minAngle' | 'maxAngle'>;

export interface ServoRequest {
  action: 'move' | 'sweep';
  params: { angle?: number; direction?: string; requested?: number; clamped?: boolean; from?: number; to?: number };
}

const DIRECTIONS = ['left', 'right', 'center'] as const;

const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, n));

/**
 * Reads {direction: left|right|center}, {angle: 0-180} or {action: sweep}
 * (also the seed's `{"direction":"left"}` and a bare number). Throws
 * ValidationError with the offending value; angles outside the limits are clamped.
 */
export function parseRequest(payload: unknown, limits: Limits): ServoRequest {
  let p: Record<string, unknown>;
  if (typeof payload === 'number' || (typeof payload === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(payload))) p = { angle: payload };
  else if (typeof payload === 'string') p = DIRECTIONS.includes(payload.trim().toLowerCase() as never) ? { direction: payload } : { action: payload };
  else if (payload && typeof payload === 'object') p = payload as Record<string, unknown>;
  else throw new ValidationError('servo request must be an object like {"direction":"left"}, {"angle":90} or {"action":"sweep"}', 'payload');

  const action = p.action === undefined ? undefined : String(p.action).toLowerCase();
  if (action === 'sweep') return { action: 'sweep', params: { from: limits.minAngle, to: limits.maxAngle } };
  if (action !== undefined && action !== 'move' && action !== 'set_angle') {
    throw new ValidationError(`action must be sweep (or move), got "${String(p.action).slice(0, 40)}"`, 'action');
  }
  if (p.direction !== undefined) {
    const d = String(p.direction).toLowerCase();
    if (!DIRECTIONS.includes(d as never))
      throw new ValidationError(`direction must be left, right or center, got "${String(p.direction).slice(0, 40)}"`, 'direction');
    const target = d === 'left' ? limits.leftAngle : d === 'right' ? limits.rightAngle : limits.centerAngle;
    return { action: 'move', params: { direction: d, angle: clamp(target, limits.minAngle, limits.maxAngle) } };
  }
  if (p.angle !== undefined) {
    const n = typeof p.angle === 'string' && p.angle.trim() !== '' ? Number(p.angle) : p.angle;
    if (typeof n !== 'number' || !Number.isFinite(n))
      throw new ValidationError(`angle must be a number from 0 to 180, got "${String(p.angle).slice(0, 40)}"`, 'angle');
    const angle = clamp(Math.round(n * 10) / 10, limits.minAngle, limits.maxAngle);
    return { action: 'move', params: angle === n ? { angle } : { angle, requested: n, clamped: true } };
  }
  throw new ValidationError('servo request needs direction (left|right|center), angle (0-180) or action "sweep"', 'payload');
}

export function createCommand(deviceId: string, req: ServoRequest, now: number, ttlSec: number): Command {
  return { id: randomUUID(), deviceId, action: req.action, params: { ...req.params }, createdAt: now, expiresAt: now + ttlSec * 1000, status: 'pending' };
}

const RANK: Record<CommandStatus, number> = { pending: 0, sent: 1, acknowledged: 2, executed: 3, failed: 3, expired: 3 };

export const isFinal = (s: CommandStatus): boolean => RANK[s] === 3;

/** Whether a command may move from `from` to `to`: only forward, never out of a final state. */
export function canTransition(from: CommandStatus, to: CommandStatus): boolean {
  return !isFinal(from) && RANK[to] > RANK[from];
}

export interface Ack {
  id: string;
  status: 'acknowledged' | 'executed' | 'failed';
  reason?: string;
  angle?: number;
  ts?: number;
}

/** Parses an acknowledgement payload; returns null when it is not one. */
export function parseAck(payload: unknown): Ack | null {
  let p = payload;
  if (typeof p === 'string' || Buffer.isBuffer(p)) {
    try {
      p = JSON.parse(String(p));
    } catch {
      return null;
    }
  }
  if (!p || typeof p !== 'object') return null;
  const o = p as Record<string, unknown>;
  const status = String(o.status);
  if (typeof o.id !== 'string' || !o.id || !['acknowledged', 'executed', 'failed'].includes(status)) return null;
  return {
    id: o.id.slice(0, 100),
    status: status as Ack['status'],
    reason: typeof o.reason === 'string' ? o.reason.slice(0, 300) : undefined,
    angle: typeof o.angle === 'number' ? o.angle : undefined,
    ts: typeof o.ts === 'number' ? o.ts : undefined,
  };
}

/** Short text for statuses: `sweep`, the direction, or the angle. */
export function describeCommand(c: Pick<Command, 'action' | 'params'>): string {
  return c.action === 'sweep' ? 'sweep' : `${(c.params.direction as string) || `${String(c.params.angle)}°`}`;
}
