/**
 * The contract every simulated device kind follows. Generators are pure: they
 * read the clock and randomness only from their arguments, so a seeded Rng and a
 * fixed clock replay a fleet exactly. `next` advances `state` in place.
 */
import type { Rng } from './rng';

/** JSON object as the device serialises it. */
export type Payload = Record<string, unknown>;

export interface SimMessage {
  topic: string;
  payload: Payload;
}

export interface Profile<S = unknown> {
  /** Periodic devices publish every interval; event devices at random (a Poisson process). */
  readonly timing: 'periodic' | 'event';
  /** Seed-like device id for the 1-based index, e.g. `ruuvi_001`. */
  defaultId(index: number): string;
  init(deviceId: string, now: number, rng: Rng): S;
  next(state: S, now: number, rng: Rng): SimMessage;
  /** Same payload with one value out of its physical range (a sensor fault), when the kind has one. */
  spike?(payload: Payload, rng: Rng): Payload;
  /** Called when the device comes back after a dropout (e.g. millis() restarts). */
  reboot?(state: S, now: number, rng: Rng): void;
}

export const pad3 = (n: number): string => String(n).padStart(3, '0');
