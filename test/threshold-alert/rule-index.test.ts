/** RuleIndex: a reading meets only the rules that can match its metric, sensor type, event type and device. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RuleIndex, Compiled } from '../../nodes/threshold-alert/rule-index';
import { ThresholdRule, validateRules } from '../../nodes/threshold-alert/rules';

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
