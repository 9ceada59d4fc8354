/** The normalizer's settings: defaults, editor strings, field-named errors, template lines, upgrades. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUILTIN_TEMPLATES, CONFIG_VERSION, parseConfig, parseTemplateLine, upgrade } from '../../nodes/payload-normalizer/config';

describe('config', () => {
  test('defaults compile the built-in templates', () => {
    const o = parseConfig({});
    assert.equal(o.templates.length, BUILTIN_TEMPLATES.length);
    assert.equal(o.decoder, 'auto');
    assert.equal(o.dedupeWindowMs, 60000);
    assert.equal(o.catchRejects, true);
    assert.deepEqual(o.ranges.get('humidity'), [0, 100]);
  });
  test('editor strings are converted', () => {
    const o = parseConfig({
      dedupeWindow: '30',
      rateLimit: '10',
      catchRejects: 'false',
      builtinTemplates: false,
      templates: 'a/{deviceId}\n\n b/{deviceId}/{sensorType} ',
    });
    assert.equal(o.dedupeWindowMs, 30000);
    assert.equal(o.rateLimit, 10);
    assert.equal(o.catchRejects, false);
    assert.deepEqual(
      o.templates.map((t) => t.source),
      ['a/{deviceId}', 'b/{deviceId}/{sensorType}'],
    );
  });
  test('bad values name the field', () => {
    assert.throws(() => parseConfig({ decoder: 'xml' }), /decoder/);
    assert.throws(() => parseConfig({ timezone: 'Mars/Olympus' }), /timezone/);
    assert.throws(() => parseConfig({ ranges: '{"humidity": [100, 0]}' }), /ranges: "humidity"/);
    assert.throws(() => parseConfig({ ranges: '{nope' }), /ranges is not valid JSON/);
    assert.throws(() => parseConfig({ eventTypes: '{"X": "Not Snake"}' }), /eventTypes/);
    assert.throws(() => parseConfig({ dedupeWindow: '-1' }), /dedupeWindow/);
    assert.throws(() => parseConfig({ templates: 'a/#/b' }), /templates/);
    assert.throws(() => parseConfig({ templates: 'a/{deviceId} colour=red' }), /templates/);
    assert.throws(() => parseConfig({ outOfRange: 'ignore' }), /outOfRange/);
  });
  test('template lines: defaults, prefix and family', () => {
    const t = parseTemplateLine('sensors/esp32/{deviceId}/data sensorType=esp32');
    assert.deepEqual(t.defaults, { sensorType: 'esp32' });
    assert.equal(t.prefix, 'sensors/esp32');
    assert.equal(t.family, 'sensors');
    assert.equal(parseTemplateLine('+/{deviceId}').family, 'other');
    assert.deepEqual(t.topic.match('sensors/esp32/E1/data'), Object.assign(Object.create(null), { deviceId: 'E1' }));
  });
  test('an old config without configVersion is upgraded with defaults', () => {
    const up = upgrade({ decoder: 'flat' });
    assert.equal(up.configVersion, CONFIG_VERSION);
    assert.equal(up.decoder, 'flat');
    assert.equal(up.dedupeWindow, 60);
  });
});
