/** Node status and health for the writer, from the engine's state. */
import { NodeStatus, status } from '../common/status';
import type { Translate } from '../common/i18n';
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

/** The node's status; `t` is the node set's translator (i18n.ts), keys under influxdb-writer.status. */
export function writerStatus(v: WriterView, t: Translate): NodeStatus {
  const { state } = v;
  const drop = v.dropped > 0 ? t('influxdb-writer.status.dropped', { dropped: v.dropped }) : '';
  if (!v.configured) return status.degraded(t('influxdb-writer.status.unconfigured', { spooled: state.spooled }) + drop);
  if (state.retrying) return status.degraded(`${t('influxdb-writer.status.retrying', { spooled: state.spooled })}${drop}: ${state.lastError ?? ''}`);
  const base = t('influxdb-writer.status.rate', { rate: Math.round(v.rate), queued: state.queued, spooled: state.spooled }) + drop;
  const recent = state.lastError && state.lastErrorAt && (v.now ?? Date.now()) - state.lastErrorAt < RECENT_MS;
  if (recent) return status.degraded(`${base} | ${state.lastError}`);
  if (state.spooled > 0) return status.busy(base + t('influxdb-writer.status.replaying'));
  return status.ok(base);
}

export function writerHealth(v: WriterView): { ok: boolean; detail: string } {
  if (!v.configured) return { ok: false, detail: `no database configured: ${v.state.spooled} points spooled` };
  if (v.state.retrying) return { ok: false, detail: `InfluxDB unavailable (${v.state.lastError ?? 'unknown'}): ${v.state.spooled} points spooled` };
  return { ok: true, detail: `${Math.round(v.rate)} points/s written, ${v.state.spooled} spooled` };
}
