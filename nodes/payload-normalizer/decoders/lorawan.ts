/** What The Things Stack and ChirpStack uplinks share: the decoded object and the best gateway's RSSI / SNR. */
import type { Draft } from '../draft';
import { isObj, walk, NO_SKIP, type Obj } from '../walk';

/** Walks the payload formatter's / codec's output as plain metrics (nested objects prefixed, arrays skipped). */
export function decoded(d: Draft, o: unknown): boolean {
  return isObj(o) ? walk(o as Obj, '', 1, d, false, NO_SKIP) : true;
}

/** RSSI and SNR of the gateway that heard the uplink best (`rssi`, and `snr` or v3 `loRaSNR`). */
export function radio(d: Draft, rx: unknown): void {
  if (!Array.isArray(rx)) return;
  let best: Obj | undefined;
  for (const g of rx) {
    if (!isObj(g)) continue;
    const rssi = typeof g.rssi === 'number' ? g.rssi : g.channel_rssi;
    if (typeof rssi === 'number' && (best === undefined || rssi > (best.rssi as number))) best = { rssi, snr: g.snr ?? g.loRaSNR };
  }
  if (best === undefined) return;
  d.metric('rssi', best.rssi as number, 'dBm');
  if (typeof best.snr === 'number' && Number.isFinite(best.snr)) d.metric('snr', best.snr, 'dB');
  d.metric('gateways', rx.length);
}
