/**
 * Device side: turns a received command (our Command, or the seed's bare
 * `{"direction":"left"}`) into servo moves and acknowledgements.
 */
import { randomUUID } from 'crypto';
import { errorMessage } from '../common/errors';
import type { Command } from '../common/types';
import { Ack, Limits, parseRequest, ServoRequest } from './command';

export interface Mover {
  moveTo(angle: number): Promise<unknown>;
}

export interface Received {
  id: string;
  request: ServoRequest;
  /** From the command; undefined for bare requests. */
  expiresAt?: number;
  createdAt: number;
}

/** Reads a command payload; throws ValidationError for a bad request. */
export function parseReceived(payload: unknown, limits: Limits, now: number): Received {
  let p = payload;
  if (typeof p === 'string' || Buffer.isBuffer(p)) {
    const text = String(p);
    try {
      p = JSON.parse(text);
    } catch {
      p = text;
    }
  }
  if (p && typeof p === 'object' && typeof (p as Command).id === 'string' && (p as Command).params && typeof (p as Command).params === 'object') {
    const c = p as Command;
    const req = c.action === 'sweep' ? parseRequest({ action: 'sweep' }, limits) : parseRequest({ angle: c.params.angle }, limits);
    return { id: c.id.slice(0, 100), request: req, expiresAt: Number.isFinite(c.expiresAt) ? c.expiresAt : undefined, createdAt: c.createdAt || now };
  }
  return { id: `local-${randomUUID()}`, request: parseRequest(p, limits), createdAt: now };
}

export interface ExecuteOptions {
  centerAngle: number;
  sweepDwellMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Acknowledges, moves, and reports executed or failed through `emit`; never throws. */
export async function execute(servo: Mover, cmd: Received, opts: ExecuteOptions, emit: (ack: Ack) => void): Promise<Ack> {
  const now = opts.now || Date.now;
  const sleep = opts.sleep || defaultSleep;
  const final = (ack: Ack): Ack => {
    emit(ack);
    return ack;
  };
  if (cmd.expiresAt !== undefined && now() > cmd.expiresAt) {
    return final({ id: cmd.id, status: 'failed', reason: 'command expired before it reached the device', ts: now() });
  }
  emit({ id: cmd.id, status: 'acknowledged', ts: now() });
  try {
    let angle: number;
    if (cmd.request.action === 'sweep') {
      const { from = 0, to = 180 } = cmd.request.params;
      await servo.moveTo(from);
      await sleep(opts.sweepDwellMs);
      await servo.moveTo(to);
      await sleep(opts.sweepDwellMs);
      angle = opts.centerAngle;
      await servo.moveTo(angle);
    } else {
      angle = cmd.request.params.angle as number;
      await servo.moveTo(angle);
    }
    return final({ id: cmd.id, status: 'executed', angle, ts: now() });
  } catch (err) {
    return final({ id: cmd.id, status: 'failed', reason: errorMessage(err), ts: now() });
  }
}
