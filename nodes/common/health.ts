/**
 * Component health, reported by nodes and read by the app's /health/ready.
 * A node reports under its own id and removes its entry on close.
 */
import { redact } from './redact';

export interface ComponentHealth {
  /** Kind of component, e.g. `influxdb-writer`. */
  kind: string;
  ok: boolean;
  detail: string;
  /** Numbers for the system page (queue depth, spool size...). */
  figures?: Record<string, number>;
  updated: number;
}

const components = new Map<string, ComponentHealth>();

export function reportHealth(id: string, entry: Omit<ComponentHealth, 'updated'>): void {
  // The detail reaches /health/ready and the System page: no secret in it.
  components.set(id, { ...entry, detail: redact(entry.detail), updated: Date.now() });
}

export function clearHealth(id: string): void {
  components.delete(id);
}

export function healthSnapshot(): Record<string, ComponentHealth> {
  return Object.fromEntries(components);
}
