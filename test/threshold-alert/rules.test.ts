import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ValidationError } from '../../nodes/common/errors';
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
