/** Template rendering, table-driven over templates.fixtures.json, plus JSON bodies and subjects. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import path from 'path';
import { render, renderJson, renderLine, alertContext, parseJsonTemplate } from '../../nodes/alert-notifier/templates';
import { alert } from './fixtures';

interface Case {
  name: string;
  template: string;
  mode: 'text' | 'html';
  ctx: Record<string, unknown>;
  expected: string;
}
const cases = JSON.parse(fs.readFileSync(path.join(__dirname, 'templates.fixtures.json'), 'utf8')) as Case[];

for (const c of cases) {
  test(`render: ${c.name}`, () => {
    assert.equal(render(c.template, c.ctx, c.mode), c.expected);
  });
}

test('renderJson keeps the type of a whole-value placeholder and interpolates the rest', () => {
  const a = alert({ threshold: [10, 20] });
  const ctx = alertContext(a, 'fired');
  const tpl = parseJsonTemplate(
    '{"text":"{{deviceId}}: {{value}}","value":"{{value}}","threshold":"{{threshold}}","alert":"{{alert}}","missing":"{{nope}}","n":3,"list":["{{severity}}",true]}',
  );
  assert.deepEqual(renderJson(tpl, ctx), {
    text: 'esp32-01: 31.5',
    value: 31.5,
    threshold: [10, 20],
    alert: a,
    missing: null,
    n: 3,
    list: ['warning', true],
  });
});

test('renderJson output is valid JSON even when a field holds quotes and braces', () => {
  const ctx = alertContext(alert({ title: '"}, "evil": {"x' }), 'fired');
  const body = JSON.stringify(renderJson(parseJsonTemplate('{"title":"T: {{title}}"}'), ctx));
  assert.deepEqual(JSON.parse(body), { title: 'T: "}, "evil": {"x' });
});

test('renderLine removes line breaks so a field cannot inject mail headers', () => {
  assert.equal(renderLine('[{{s}}] {{t}}', { s: 'x', t: 'a\r\nBcc: evil@example.com' }), '[x] a Bcc: evil@example.com');
});

test('parseJsonTemplate names the problem', () => {
  assert.throws(() => parseJsonTemplate('{"a":'), /body template is not valid JSON/);
});

test('alertContext adds event, severityUpper and sinceIso', () => {
  const ctx = alertContext(alert({ severity: 'critical', since: Date.UTC(2025, 0, 15, 14, 30) }), 'resolved');
  assert.equal(ctx.event, 'resolved');
  assert.equal(ctx.severityUpper, 'CRITICAL');
  assert.equal(ctx.sinceIso, '2025-01-15T14:30:00.000Z');
});
