import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ValidationError } from '../../nodes/common/errors';
import { parseConfig } from '../../nodes/threshold-alert/config';
import { RuleIndex, Compiled } from '../../nodes/threshold-alert/rule-index';
import { compare, compileWildcard, DEFAULT_RULES, Operator, ThresholdRule, validateRules } from '../../nodes/threshold-alert/rules';

const fixture = <T>(name: string): T => JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8')) as T;

interface OpCase {
  op: Operator;
  threshold: number | [number, number];
  fires: number[];
  quiet: number[];
}
for (const c of fixture<OpCase[]>('operators.json')) {
  test(`operator ${c.op} ${JSON.stringify(c.threshold)}`, () => {
    for (const v of c.fires) assert.equal(compare(c.op, v, c.threshold), true, `${v} ${c.op} ${JSON.stringify(c.threshold)} should fire`);
    for (const v of c.quiet) assert.equal(compare(c.op, v, c.threshold), false, `${v} ${c.op} ${JSON.stringify(c.threshold)} should stay quiet`);
  });
}

interface BadCase {
  name: string;
  rules: unknown;
  errors: string[];
}
for (const c of fixture<BadCase[]>('bad-rules.json')) {
  test(`rules rejected: ${c.name}`, () => {
    assert.throws(
      () => validateRules(c.rules),
      (err: unknown) => {
        assert.ok(err instanceof ValidationError);
        for (const e of c.errors) assert.ok(err.message.includes(e), `expected "${e}" in: ${err.message}`);
        return true;
      },
    );
  });
}

test('default rules are valid and cover the seeds', () => {
  const rules = validateRules(JSON.parse(JSON.stringify(DEFAULT_RULES)));
  assert.deepEqual(
    rules.map((r) => r.id),
    ['temperature-high', 'humidity-range', 'battery-low', 'heart-rate', 'spo2-low', 'device-silent', 'motion-armed', 'fall-detected'],
  );
  const temp = rules[0] as ThresholdRule;
  assert.deepEqual([temp.operator, temp.threshold, temp.clear, temp.severity], ['>', 25, 24, 'warning']);
  assert.equal(rules.find((r) => r.id === 'spo2-low')?.severity, 'critical');
});

test('validation fills defaults and keeps given fields', () => {
  const [r] = validateRules([{ id: 'x', metric: 'temperature', operator: '>=', threshold: 3 }]) as ThresholdRule[];
  assert.deepEqual(r, {
    id: 'x',
    kind: 'threshold',
    metric: 'temperature',
    operator: '>=',
    threshold: 3,
    for: 0,
    keepFiring: 0,
    repeat: 0,
    severity: 'warning',
    enabled: true,
  });
});

test('wildcards: exact, prefix, infix, any', () => {
  const cases: Array<[string | undefined, string, boolean]> = [
    ['ruuvi_*', 'ruuvi_01', true],
    ['ruuvi_*', 'ruuvi_', true],
    ['ruuvi_*', 'xruuvi_01', false],
    ['raspberry-01', 'raspberry-01', true],
    ['raspberry-01', 'raspberry-011', false],
    ['*-01', 'raspberry-01', true],
    ['a*b*c', 'a1b2c', true],
    ['a*b*c', 'a1c', false],
    ['dev.1', 'devx1', false],
    [undefined, 'anything', true],
    ['*', '', true],
  ];
  for (const [pattern, id, expected] of cases) assert.equal(compileWildcard(pattern)(id), expected, `${pattern} vs ${id}`);
});

test('the index only returns rules that can match metric, sensor type and device', () => {
  const rules = validateRules([
    { id: 't-any', metric: 'temperature', operator: '>', threshold: 1 },
    { id: 't-ruuvi', metric: 'temperature', operator: '>', threshold: 1, sensorType: 'ruuvi' },
    { id: 't-dev', metric: 'temperature', operator: '>', threshold: 1, deviceId: 'ruuvi_*' },
    { id: 'h', metric: 'humidity', operator: '>', threshold: 1 },
    { id: 'off', metric: 'temperature', operator: '>', threshold: 1, enabled: false },
    { id: 'm', kind: 'event', eventType: 'motion_*' },
    { id: 'b', kind: 'event', eventType: 'button_pressed', deviceId: 'raspberry-01' },
  ]);
  const index = new RuleIndex(rules);
  const ids = (metric: string, type: string, dev: string): string[] => {
    const out: Compiled<ThresholdRule>[] = [];
    index.thresholdRules(metric, type, dev, out);
    return out.map((c) => c.rule.id).sort();
  };
  assert.deepEqual(ids('temperature', 'ruuvi', 'ruuvi_01'), ['t-any', 't-dev', 't-ruuvi']);
  assert.deepEqual(ids('temperature', 'dht22', 'pi-1'), ['t-any']);
  assert.deepEqual(ids('pressure', 'ruuvi', 'ruuvi_01'), []);
  assert.deepEqual(
    index.eventRules('motion_detected', 'raspberry-02', 'motion').map((c) => c.rule.id),
    ['m'],
  );
  assert.deepEqual(
    index.eventRules('button_pressed', 'raspberry-02', 'button').map((c) => c.rule.id),
    [],
  );
  assert.deepEqual(
    index.eventRules('button_pressed', 'raspberry-01', 'button').map((c) => c.rule.id),
    ['b'],
  );
});

test('parseConfig: defaults, validation errors name the field', () => {
  const cfg = parseConfig({});
  assert.equal(cfg.rules.length, DEFAULT_RULES.length);
  assert.equal(cfg.historyLimit, 500);
  assert.equal(cfg.rulesHash, parseConfig({ rules: JSON.stringify(DEFAULT_RULES) }).rulesHash);
  assert.notEqual(cfg.rulesHash, parseConfig({ rules: '[]' }).rulesHash);
  assert.throws(() => parseConfig({ rules: '[{' }), /rules: not valid JSON/);
  assert.throws(() => parseConfig({ historyLimit: 'x' }), /historyLimit must be a number from 10 to 10000/);
  assert.throws(() => parseConfig({ rules: '[{"id":"a","metric":"t","operator":"?","threshold":1}]' }), /rules\[0\]\.operator/);
});
