/** MQTT topic templates: placeholders captured and rendered, wildcards, and filter validation. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileTopic, covered, filterError } from '../../nodes/common/topic';

test('placeholders capture their level; + matches one level; the filter has + for each placeholder', () => {
  const t = compileTopic('sensors/{deviceId}/+/{sensorType}');
  assert.equal(t.filter, 'sensors/+/+/+');
  assert.deepEqual({ ...t.match('sensors/pi-1/x/temperature') }, { deviceId: 'pi-1', sensorType: 'temperature' });
  assert.equal(t.match('sensors/pi-1/temperature'), null, 'one level short');
  assert.equal(t.match('sensors/pi-1/x/y/z'), null, 'one level too many');
  assert.equal(t.match('other/pi-1/x/temperature'), null);
});

test('# matches the rest and the parent itself, as in MQTT; literal dots are not regex dots', () => {
  const t = compileTopic('tele/{deviceId}/#');
  assert.equal(t.filter, 'tele/+/#');
  assert.deepEqual({ ...t.match('tele/plug/SENSOR') }, { deviceId: 'plug' });
  assert.deepEqual({ ...t.match('tele/plug/a/b') }, { deviceId: 'plug' });
  assert.deepEqual({ ...t.match('tele/plug') }, { deviceId: 'plug' });
  assert.equal(compileTopic('a.b/c').match('aXb/c'), null);
});

test('bad templates throw with the template named', () => {
  assert.throws(() => compileTopic('a/#/b'), /'#' must be the last level of topic template "a\/#\/b"/);
  assert.throws(() => compileTopic('a/x{id}/b'), /invalid level "x\{id\}"/);
  assert.throws(() => compileTopic('a/b+/c'), /invalid level "b\+"/);
});

test('render fills placeholders and refuses missing or unsafe values', () => {
  const t = compileTopic('commands/{deviceId}/servo');
  assert.equal(t.render({ deviceId: 'raspberry-01' }), 'commands/raspberry-01/servo');
  for (const bad of [{}, { deviceId: '' }, { deviceId: 'a/b' }, { deviceId: '+' }, { deviceId: '#' }, { deviceId: 'a\0b' }]) {
    assert.throws(() => t.render(bad as Record<string, string>), /topic value "deviceId" must be a non-empty string/, JSON.stringify(bad));
  }
});

test('filterError accepts valid filters and names what is wrong in the others', () => {
  for (const ok of ['#', '+', 'a/+/b', 'a/b/#', 'sensors/+/+']) assert.equal(filterError(ok), undefined, ok);
  assert.equal(filterError(''), 'empty topic filter');
  assert.match(filterError('a/#/b')!, /# must be a whole last level/);
  assert.match(filterError('a/b#')!, /# must be a whole last level/);
  assert.match(filterError('a/b+/c')!, /\+ must be a whole level/);
  assert.match(filterError('a/\0')!, /NUL/);
  assert.match(filterError('a'.repeat(65536))!, /longer than 65535 bytes/);
});

test('covered: the MQTT specification examples of topic matching, and $ topics kept from first-level wildcards', () => {
  const rows: Array<[string, string, boolean]> = [
    ['sport/tennis/player1/#', 'sport/tennis/player1', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon', true],
    ['sport/#', 'sport', true],
    ['sport/tennis/+', 'sport/tennis/player1', true],
    ['sport/tennis/+', 'sport/tennis/player1/tournament', false],
    ['sport/+', 'sport', false],
    ['sport/+', 'sport/', true],
    ['+/+', '/finance', true],
    ['/+', '/finance', true],
    ['+', '/finance', false],
    ['#', '$SYS/monitor/Clients', false],
    ['+/monitor/Clients', '$SYS/monitor/Clients', false],
    ['$SYS/#', '$SYS/monitor/Clients', true],
    ['$SYS/monitor/+', '$SYS/monitor/Clients', true],
    ['home/sensor1/infojson', 'home/sensor1/infojson', true],
    ['home/sensor1/infojson', 'home/sensor1/infojson/x', false],
  ];
  for (const [pattern, topic, want] of rows) assert.equal(covered(pattern, topic), want, `${pattern} matches ${topic}`);
});
