/** parseConfig: the notifier's settings (the SMTP config node's are in smtp-settings.test.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, DEFAULTS } from '../../nodes/alert-notifier/config';

test('defaults parse to the documented settings', () => {
  const c = parseConfig({ ...DEFAULTS }, { ALERT_EMAIL_TO: 'a@x, b@x', WEBHOOK_URL: 'http://hook' });
  assert.equal(c.mode, 'alert');
  assert.equal(c.to, 'a@x, b@x');
  assert.equal(c.url, 'http://hook');
  assert.equal(c.webhook, false);
  assert.equal(c.notifyResolved, true);
  assert.equal(c.retryInitialMs, 2000);
  assert.equal(c.retryMaxMs, 30_000);
  assert.equal(c.giveUpMs, 24 * 3600_000);
  assert.equal(c.rateMax, 10);
  assert.equal(c.rateWindowMs, 300_000);
  assert.equal(c.timeoutMs, 10_000);
  assert.equal(c.body, undefined);
});

test('version 0 configs are upgraded: a URL meant "send webhooks"', () => {
  assert.equal(parseConfig({ url: 'http://h' }, {}).webhook, true);
  assert.equal(parseConfig({ url: '${WEBHOOK_URL}' }, {}).webhook, false);
  assert.equal(parseConfig({ url: 'http://h', webhook: false, configVersion: 1 }, {}).webhook, false);
});

test('bad settings name their field', () => {
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ mode: 'x' }, /mode must be alert or event/],
    [{ method: 'GET' }, /method must be POST, PUT or PATCH/],
    [{ headers: '[1]' }, /headers must be a JSON object/],
    [{ headers: '{"Bad Name":"x"}' }, /header name "Bad Name"/],
    [{ headers: '{"X-A":"a\\r\\nB: c"}' }, /header X-A must be one line/],
    [{ bodyTemplate: '{"a":' }, /body template is not valid JSON/],
    [{ timeoutS: 'abc' }, /timeoutS must be a number/],
    [{ retryInitialS: 10, retryMaxS: 5 }, /retryMaxS must not be less than retryInitialS/],
    [{ rateMax: -1 }, /rateMax must be a number from 0/],
  ];
  for (const [def, re] of bad) assert.throws(() => parseConfig(def, {}), re, JSON.stringify(def));
});
