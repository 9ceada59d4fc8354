/** Home Assistant discovery announcements read (nodes/common/ha-discovery.ts): topics, templates, abbreviations. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { announcedTopics, discoveryTopic, readAnnouncement, templatePath } from '../../nodes/common/ha-discovery';

test('templates: only the simple forms are read, filters allowed, anything else refused', () => {
  assert.deepEqual(templatePath('{{ value }}'), []);
  assert.deepEqual(templatePath(undefined), []);
  assert.deepEqual(templatePath('{{ value_json.x }}'), ['x']);
  assert.deepEqual(templatePath('{{value_json.x.y}}'), ['x', 'y']);
  assert.deepEqual(templatePath("{{ value_json['AM2301'].Temperature | float | round(1) }}"), ['AM2301', 'Temperature']);
  assert.equal(templatePath('{{ value_json.x * 10 }}'), null);
  assert.equal(templatePath("{% if value == 'a' %}1{% endif %}"), null);
  assert.equal(templatePath('{{ value_json.__proto__ }}'), null);
  assert.deepEqual(discoveryTopic('homeassistant/sensor/node/obj/config'), { component: 'sensor', nodeId: 'node', objectId: 'obj' });
  assert.equal(discoveryTopic('homeassistant/sensor/obj/state'), null);
});

test('abbreviations, ~ and device: what an announcement gives', () => {
  const a = readAnnouncement(
    { component: 'sensor', objectId: 'o' },
    {
      '~': 'base/x',
      stat_t: '~/state',
      unit_of_meas: 'W',
      val_tpl: '{{ value_json.power }}',
      avty_t: 'lwt/~',
      pl_avail: 'up',
      pl_not_avail: 'down',
      dev: { ids: 'abc' },
    },
  );
  assert.deepEqual(a, {
    stateTopic: 'base/x/state',
    path: ['power'],
    metric: 'power',
    unit: 'W',
    deviceId: 'abc',
    on: undefined,
    off: undefined,
    availability: [{ topic: 'lwt/base/x', on: 'up', off: 'down' }],
  });
  assert.match(String(readAnnouncement({ component: 'sensor', objectId: 'o' }, { stat_t: 'a', val_tpl: '{{ value_json.a + 1 }}' })), /not a simple/);
  assert.match(String(readAnnouncement({ component: 'sensor', objectId: 'o' }, { name: 'x' })), /no state_topic/);
  assert.deepEqual(announcedTopics('homeassistant/sensor/o/config', Buffer.from('{"stat_t":"a/b","avty_t":"a/lwt"}')), {
    listen: ['a/b', 'a/lwt'],
    commands: [],
  });
  assert.deepEqual(
    announcedTopics('homeassistant/light/o/config', '{"~":"dev/l1","stat_t":"~/state","cmd_t":"~/set","bri_cmd_t":"~/bri/set","json_attr_t":"~/attr"}'),
    { listen: ['dev/l1/state'], commands: ['dev/l1/set', 'dev/l1/bri/set'] },
  );
  assert.deepEqual(announcedTopics('homeassistant/sensor/o/config', ''), { listen: [], commands: [] });
  assert.deepEqual(announcedTopics('homeassistant/sensor/o/config', '{not json'), { listen: [], commands: [] });
  assert.equal(announcedTopics('other/topic', '{}'), null);
});
