/** Node status and health for the writer, from the engine's state. */
import { NodeStatus, status } from '../common/status';
import type { EngineState } from './writer-engine';

export interface WriterView {
  state: EngineState;
  /** Points written per second over the last interval. */
  rate: number;
  /** False when no database URL is configured. */
  configured: boolean;
  /** Points dropped (spool full + rejected + invalid input). */
  dropped: number;
  now?: number;
}

const RECENT_MS = 5 * 60_000;

export function writerStatus(v: WriterView): NodeStatus {
  const { state } = v;
  const drop = v.dropped > 0 ? ` dropped ${v.dropped}` : '';
  if (!v.configured) return status.degraded(`no database configured: spooling ${state.spooled}${drop}`);
  if (state.retrying) return status.degraded(`retrying, spooled ${state.spooled}${drop}: ${state.lastError ?? ''}`);
  const base = `${Math.round(v.rate)} pt/s q ${state.queued} spool ${state.spooled}${drop}`;
  const recent = state.lastError && state.lastErrorAt && (v.now ?? Date.now()) - state.lastErrorAt < RECENT_MS;
  if (recent) return status.degraded(`${base} | ${state.lastError}`);
  if (state.spooled > 0) return status.busy(`${base} (replaying)`);
  return status.ok(base);
}

export function writerHealth(v: WriterView): { ok: boolean; detail: string } {
  if (!v.configured) return { ok: false, detail: `no database configured: ${v.state.spooled} points spooled` };
  if (v.state.retrying) return { ok: false, detail: `InfluxDB unavailable (${v.state.lastError ?? 'unknown'}): ${v.state.spooled} points spooled` };
  return { ok: true, detail: `${Math.round(v.rate)} points/s written, ${v.state.spooled} spooled` };
}
