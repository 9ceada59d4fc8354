/**
 * The HTTP API against the app as shipped: the Pi seed's servo curl, command
 * status from a device ack over MQTT, alerts (rules replaced, list, ack,
 * resolve), 400 and 404 answers, the OpenAPI document, and the event stream.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import { startApp, RunningApp } from '../../support/app';

let app: RunningApp;

before(async () => {
  app = await startApp({ SIMULATE_DEVICES: '1' });
});
after(async () => {
  if (app && app.proc.exitCode === null) await app.stop();
});

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = { 'Content-Type': 'application/json' },
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (${String(last)})\n${app.log().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** An SSE client on fetch: collects {event, data} until closed. */
function stream(path: string): { events: Array<{ event: string; data: any }>; close(): void } {
  const ctl = new AbortController();
  const events: Array<{ event: string; data: any }> = [];
  void (async () => {
    const res = await fetch(`${app.url}${path}`, { signal: ctl.signal });
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
    }
  })().catch(() => undefined);
  return { events, close: () => ctl.abort() };
}

test('the OpenAPI document is valid JSON and every route in it is served', async () => {
  const { status, json: doc } = await call('GET', '/api/openapi.json');
  assert.equal(status, 200);
  assert.equal(doc.openapi, '3.0.3');
  const expected = [
    '/devices',
    '/devices/{id}',
    '/readings/latest',
    '/devices/{id}/readings',
    '/devices/{id}/readings/aggregate',
    '/alerts',
    '/alerts/{id}/ack',
    '/alerts/{id}/resolve',
    '/rules',
    '/rules/{node}',
    '/cameras/{id}/servo',
    '/devices/{id}/commands',
    '/commands/{id}',
    '/recordings',
    '/events/stream',
    '/devices/{id}/registry',
    '/registry/import',
    '/registry/export',
  ];
  for (const p of expected) assert.ok(doc.paths[p], `the document describes ${p}`);
  for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, { responses: object }>>)) {
    if (p === '/events/stream') continue;
    for (const method of Object.keys(ops)) {
      const r = await call(method.toUpperCase(), `/api${p.replace(/\{\w+\}/g, 'x')}`, method === 'get' ? undefined : {});
      assert.doesNotMatch(String(r.json?.error), /no API route/, `${method} ${p} is routed`);
      assert.ok(
        String(r.status) in ops[method].responses,
        `${method} ${p} answered ${r.status}, a status the document lists (${JSON.stringify(r.json).slice(0, 200)})`,
      );
    }
  }
  const r = await call('GET', '/api/nothing-here');
  assert.equal(r.status, 404);
});

test("the Pi seed's curl: POST /api/cameras/raspberry-01/servo returns a command whose status follows the device's ack", async () => {
  // curl -d sends application/x-www-form-urlencoded: the body is still read as JSON.
  const sent = await call('POST', '/api/cameras/raspberry-01/servo', '{"direction":"left"}', { 'Content-Type': 'application/x-www-form-urlencoded' });
  assert.equal(sent.status, 202, JSON.stringify(sent.json));
  assert.match(sent.json.id, /^[0-9a-f-]{36}$/);
  assert.equal(sent.json.deviceId, 'raspberry-01');
  assert.equal(sent.json.params.direction, 'left');
  // The shipped pi-device flow is raspberry-01 (its tab's DEVICE_ID): with no PWM chip here it acks "failed" over MQTT.
  const failed = await poll(
    "raspberry-01's ack",
    async () => {
      const r = await call('GET', `/api/commands/${sent.json.id}`);
      return r.json.status !== 'sent' ? r.json : undefined;
    },
    10_000,
  );
  assert.equal(failed.status, 'failed');
  assert.match(failed.reason, /PWM/);
});

test('a command to another device follows the ack the test publishes, on GET and on the event stream', async () => {
  const events = stream('/api/events/stream?types=command');
  const client = await mqtt.connectAsync(app.mqttUrl, { ...app.mqttAppLogin(), reconnectPeriod: 0 });
  try {
    const sent = await call('POST', '/api/devices/cam-2/commands', { type: 'servo', params: { angle: 90 } });
    assert.equal(sent.status, 202, JSON.stringify(sent.json));
    assert.equal(sent.json.params.angle, 90);
    assert.equal((await call('GET', `/api/commands/${sent.json.id}`)).json.status, 'sent');
    await client.publishAsync('commands/cam-2/servo/ack', JSON.stringify({ id: sent.json.id, status: 'executed', angle: 90 }), { qos: 1 });
    await poll('the executed status', async () => ((await call('GET', `/api/commands/${sent.json.id}`)).json.status === 'executed' ? true : undefined), 10_000);
    await poll(
      'the command event on the stream',
      async () => (events.events.some((e) => e.event === 'command' && e.data.id === sent.json.id && e.data.status === 'executed') ? true : undefined),
      5000,
    );
  } finally {
    events.close();
    await client.endAsync();
  }
});

test('bad input is a 400 naming the field; unknown ids are 404', async () => {
  const cases: Array<[string, string, unknown, number, string]> = [
    ['POST', '/api/cameras/raspberry-01/servo', { direction: 'up' }, 400, 'direction'],
    ['POST', '/api/cameras/raspberry-01/servo', { angle: 400 }, 400, 'angle'],
    ['POST', '/api/cameras/raspberry-01/servo', {}, 400, 'body'],
    ['POST', '/api/cameras/raspberry-01/servo', '{"direction":', 400, 'body'],
    ['POST', '/api/devices/d1/commands', { type: 'reboot' }, 400, 'type'],
    ['GET', '/api/devices/d1/readings/aggregate?metric=temperature&fn=median', undefined, 400, 'fn'],
    ['GET', '/api/devices/d1/readings?limit=0&metric=t', undefined, 400, 'limit'],
    ['GET', '/api/devices/d1/readings', undefined, 400, 'metric'],
    ['GET', '/api/recordings?camera=../etc', undefined, 400, 'camera'],
    ['PUT', '/api/rules/threshold-alert', [{ id: 'x', kind: 'threshold' }], 400, 'rules'],
    ['GET', '/api/commands/no-such-command', undefined, 404, 'id'],
    ['GET', '/api/devices/no-such-device', undefined, 404, 'id'],
    ['POST', '/api/alerts/no-such-alert/ack', { by: 'tester' }, 404, 'id'],
    ['GET', '/api/rules/no-such-node', undefined, 404, 'node'],
  ];
  for (const [method, path, body, status, field] of cases) {
    const r = await call(method, path, body);
    assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.json)}`);
    assert.equal(r.json.field, field, `${method} ${path} names ${field}: ${JSON.stringify(r.json)}`);
    assert.equal(typeof r.json.error, 'string');
  }
  // No database configured in this app: readings ranges say so.
  const noDb = await call('GET', '/api/devices/d1/readings?metric=temperature');
  assert.equal(noDb.status, 503);
  assert.match(noDb.json.error, /INFLUX_URL|database/);
});

test('devices and latest readings come from the fleet state', async () => {
  const devices = await poll('a simulated device', async () => {
    const r = await call('GET', '/api/devices');
    return r.status === 200 && r.json.length > 0 ? r.json : undefined;
  });
  const d = devices[0];
  assert.equal(typeof d.deviceId, 'string');
  assert.equal(d.online, true);
  const one = await call('GET', `/api/devices/${encodeURIComponent(d.deviceId)}`);
  assert.equal(one.status, 200);
  assert.equal(one.json.deviceId, d.deviceId);
  const latest = await call('GET', `/api/devices/${encodeURIComponent(d.deviceId)}/readings/latest`);
  assert.ok(
    Object.values(latest.json).some((m: any) => Number.isFinite(m.value)),
    JSON.stringify(latest.json),
  );
});

test('alerts: rules replaced, an alert fires on the stream with readings, ack and resolve with who and why', async () => {
  const events = stream('/api/events/stream');
  try {
    const rule = {
      id: 'api-test',
      name: 'API test',
      severity: 'warning',
      kind: 'threshold',
      metric: 'temperature',
      operator: '>',
      threshold: -1000,
      clear: -1001,
      for: 0,
    };
    const put = await call('PUT', '/api/rules/threshold-alert', [rule]);
    assert.equal(put.status, 200, JSON.stringify(put.json));
    const rules = await call('GET', '/api/rules/threshold-alert');
    assert.deepEqual(
      rules.json.map((r: { id: string }) => r.id),
      ['api-test'],
    );

    const alert = await poll('a firing alert', async () => {
      const r = await call('GET', '/api/alerts?state=firing');
      return r.json.active?.find((a: { ruleId: string }) => a.ruleId === 'api-test');
    });
    await poll(
      'the fired transition and a reading on the stream',
      async () =>
        events.events.some((e) => e.event === 'alert' && e.data.event === 'fired' && e.data.alert.id === alert.id) &&
        events.events.some((e) => e.event === 'reading')
          ? true
          : undefined,
      10_000,
    );

    const ack = await call('POST', `/api/alerts/${encodeURIComponent(alert.id)}/ack`, { by: 'operator-1', reason: 'looking at it' });
    assert.equal(ack.status, 200, JSON.stringify(ack.json));
    assert.equal(ack.json.state, 'acknowledged');
    assert.equal(ack.json.acknowledgedBy, 'operator-1');
    const again = await call('POST', `/api/alerts/${encodeURIComponent(alert.id)}/ack`, { by: 'operator-1' });
    assert.equal(again.status, 409, JSON.stringify(again.json));
    const noBy = await call('POST', `/api/alerts/${encodeURIComponent(alert.id)}/resolve`, {});
    assert.equal(noBy.status, 400);
    assert.equal(noBy.json.field, 'by');
    await poll(
      'the acknowledged transition on the stream',
      async () =>
        events.events.some((e) => e.event === 'alert' && e.data.event === 'acknowledged' && e.data.by === 'operator-1' && e.data.reason === 'looking at it')
          ? true
          : undefined,
      5000,
    );

    const resolved = await call('POST', `/api/alerts/${encodeURIComponent(alert.id)}/resolve`, { by: 'operator-1', reason: 'fixed' });
    assert.equal(resolved.status, 200, JSON.stringify(resolved.json));
    assert.equal(resolved.json.state, 'resolved');
    // Readings are throttled per device: at most one a second each.
    const perDevice = new Map<string, number[]>();
    for (const e of events.events.filter((x) => x.event === 'reading')) {
      const list = perDevice.get(e.data.deviceId) || [];
      list.push(e.data.received);
      perDevice.set(e.data.deviceId, list);
    }
    assert.ok(perDevice.size > 0);
  } finally {
    events.close();
  }
});
