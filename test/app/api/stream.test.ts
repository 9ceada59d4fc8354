import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import type { EventType, FlowTap, Listener } from '../../../app/api/events';
import { eventStream } from '../../../app/api/stream';

/** The part of the FlowTap the stream uses: subscribe, and a way to emit. */
function tap() {
  const listeners = new Set<Listener>();
  return {
    listeners,
    tap: { subscribe: (fn: Listener) => (listeners.add(fn), () => listeners.delete(fn)) } as unknown as FlowTap,
    emit: (type: EventType, data: unknown) => listeners.forEach((fn) => fn(type, data)),
  };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
}

test('event stream: SSE headers, a preamble, the chosen event types numbered in order, heartbeats; unsubscribed on close', async () => {
  const t = tap();
  const app = express();
  app.get('/stream', (req, res) => eventStream(t.tap, req, res, new Set<EventType>(['alert', 'reading']), 50));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const ac = new AbortController();
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`, { signal: ac.signal });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache, no-transform');
    await until(() => t.listeners.size === 1, 'subscribed');
    t.emit('reading', { deviceId: 'd1' });
    t.emit('motion', { deviceId: 'cam' });
    t.emit('alert', { id: 'a1' });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('"a1"') || !text.includes(': keep-alive')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    assert.ok(text.startsWith(': connected\n\nretry: 3000\n\n'), text);
    assert.match(text, /id: 1\nevent: reading\ndata: \{"deviceId":"d1"\}\n\n/);
    assert.match(text, /id: 2\nevent: alert\ndata: \{"id":"a1"\}\n\n/);
    assert.doesNotMatch(text, /motion/, 'a type not asked for is left out');
    ac.abort();
    await until(() => t.listeners.size === 0, 'unsubscribed when the client goes');
  } finally {
    ac.abort();
    server.closeAllConnections();
    server.close();
  }
});
