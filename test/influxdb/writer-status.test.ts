import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineState } from '../../nodes/influxdb/writer-engine';
import { WriterView, writerHealth, writerStatus } from '../../nodes/influxdb/writer-status';

// Short translator: the last key segment and the variables, so the status text stays under the clip length.
const t = (key: string, vars?: Record<string, string | number>): string => `${key.split('.').pop()}${vars ? `(${Object.values(vars).join(',')})` : ''}`;
const state = (s: Partial<EngineState> = {}): EngineState => ({ queued: 0, spooled: 0, written: 0, rejected: 0, spoolDropped: 0, retrying: false, ...s });
const view = (v: Partial<WriterView> = {}): WriterView => ({ state: state(), rate: 0, configured: true, dropped: 0, now: 1_000_000, ...v });

test('writer status: ok with the rate, busy while replaying the spool', () => {
  assert.deepEqual(writerStatus(view({ rate: 12.4, state: state({ queued: 3 }) }), t), { fill: 'green', shape: 'dot', text: 'rate(12,3,0)' });
  assert.deepEqual(writerStatus(view({ state: state({ spooled: 5 }) }), t), { fill: 'blue', shape: 'dot', text: 'rate(0,0,5)replaying' });
});

test('writer status: unconfigured, retrying and a recent error are yellow; dropped points are named', () => {
  assert.deepEqual(writerStatus(view({ configured: false, dropped: 2, state: state({ spooled: 4 }) }), t), {
    fill: 'yellow',
    shape: 'ring',
    text: 'unconfigured(4)dropped(2)',
  });
  assert.equal(writerStatus(view({ state: state({ retrying: true, spooled: 1, lastError: 'ECONNREFUSED' }) }), t).text, 'retrying(1): ECONNREFUSED');
  const recent = writerStatus(view({ state: state({ lastError: 'HTTP 400', lastErrorAt: 1_000_000 - 60_000 }) }), t);
  assert.deepEqual([recent.fill, recent.text], ['yellow', 'rate(0,0,0) | HTTP 400']);
  const old = writerStatus(view({ state: state({ lastError: 'HTTP 400', lastErrorAt: 1_000_000 - 5 * 60_000 }) }), t);
  assert.deepEqual([old.fill, old.text], ['green', 'rate(0,0,0)'], 'an error older than five minutes no longer shows');
});

test('writer health: not ok when unconfigured or retrying, with the spool size', () => {
  assert.deepEqual(writerHealth(view({ configured: false, state: state({ spooled: 7 }) })), { ok: false, detail: 'no database configured: 7 points spooled' });
  assert.deepEqual(writerHealth(view({ state: state({ retrying: true, spooled: 2 }) })), {
    ok: false,
    detail: 'InfluxDB unavailable (unknown): 2 points spooled',
  });
  assert.deepEqual(writerHealth(view({ rate: 9.6, state: state({ spooled: 1 }) })), { ok: true, detail: '10 points/s written, 1 spooled' });
});
