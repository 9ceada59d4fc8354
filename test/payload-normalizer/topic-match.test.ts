import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTemplateLine } from '../../nodes/payload-normalizer/config';
import type { TopicDecoder } from '../../nodes/payload-normalizer/decoders/index';
import { TopicMatcher } from '../../nodes/payload-normalizer/topic-match';

const fake: TopicDecoder = {
  name: 'fake',
  topics: ['fake/#'],
  route: (levels) => {
    if (levels[0] !== 'fake') return null;
    return levels[1] === 'bridge' ? { ignore: 'bridge traffic' } : { deviceId: levels[1], sensorType: 'fake', kind: 'state' };
  },
  decode: () => true,
};

const matcher = (): TopicMatcher => new TopicMatcher([parseTemplateLine('sensors/{sensorType}/{deviceId}/data'), parseTemplateLine('home/{deviceId}')], [fake]);

test('topic match: a template matches the whole topic and names its variables', () => {
  const m = matcher().match('sensors/esp32/dev-1/data');
  assert.equal(m.spec?.source, 'sensors/{sensorType}/{deviceId}/data');
  assert.deepEqual({ ...m.vars }, { sensorType: 'esp32', deviceId: 'dev-1' });
  assert.deepEqual([m.lastLevel, m.family], ['data', 'sensors']);
});

test('topic match: a deeper topic under a template device level still belongs to the device', () => {
  const m = matcher().match('sensors/esp32/dev-2/x/y');
  assert.equal(m.spec?.source, 'sensors/{sensorType}/{deviceId}/data');
  assert.deepEqual(m.vars, { deviceId: 'dev-2' });
  assert.equal(m.lastLevel, 'y');
});

test('topic match: a firmware decoder routes or ignores what no template matched; the rest is other', () => {
  const tm = matcher();
  const routed = tm.match('fake/d9');
  assert.deepEqual([routed.family, routed.route?.deviceId, routed.dec?.name, routed.spec], ['fake', 'd9', 'fake', null]);
  const ignored = tm.match('fake/bridge');
  assert.deepEqual([ignored.family, ignored.ignore, ignored.route], ['fake', 'bridge traffic', undefined]);
  const other = tm.match('nobody/knows/this');
  assert.deepEqual([other.family, other.levels, other.vars], ['other', ['nobody', 'knows', 'this'], null]);
});

test('topic match: the same topic returns the remembered match', () => {
  const tm = matcher();
  assert.equal(tm.match('home/lamp'), tm.match('home/lamp'));
  assert.notEqual(tm.match('home/lamp'), matcher().match('home/lamp'));
});
