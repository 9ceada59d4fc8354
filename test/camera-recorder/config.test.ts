import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS, parseConfig, parseSource, parseTrigger, sanitizeId } from '../../nodes/camera-recorder/config';

test('parseSource accepts the four source kinds', () => {
  const table: Array<[string, string, string]> = [
    ['', 'testsrc', ''],
    ['testsrc', 'testsrc', ''],
    ['rpicam', 'rpicam', ''],
    ['/dev/video0', 'v4l2', '/dev/video0'],
    ['/dev/video12', 'v4l2', '/dev/video12'],
    ['rtsp://192.168.1.20:554/stream1', 'url', 'rtsp://192.168.1.20:554/stream1'],
    ['http://cam.local/mjpeg?x=1', 'url', 'http://cam.local/mjpeg?x=1'],
    ['https://cam.local/live.m3u8', 'url', 'https://cam.local/live.m3u8'],
  ];
  for (const [raw, kind, location] of table) assert.deepEqual(parseSource(raw), { kind, location }, raw);
});

test('parseSource refuses anything that could become an ffmpeg argument or file', () => {
  for (const bad of [
    '-i',
    '-f lavfi',
    '/dev/sda',
    '/dev/video0; rm -rf /',
    '/etc/passwd',
    'file:///etc/passwd',
    'concat:a|b',
    'rtsp://user:pw@cam/stream',
    'ftp://x/y',
    'lavfi',
    'rtsp://cam/ stream',
    '../dev/video0',
  ]) {
    assert.throws(() => parseSource(bad), /source must be/, bad);
  }
});

test('parseConfig applies defaults and names bad fields', () => {
  const cfg = parseConfig({});
  assert.deepEqual(cfg, DEFAULTS);
  assert.equal(parseConfig({ duration: '3', maxDuration: '5' }).duration, 3);
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ cameraId: '../x' }, /cameraId/],
    [{ cameraId: 'a/b' }, /cameraId/],
    [{ resolution: '1280*720' }, /resolution/],
    [{ resolution: '641x480' }, /even/],
    [{ duration: 0 }, /duration must be a number from 1/],
    [{ duration: 30, maxDuration: 20 }, /must not exceed maxDuration/],
    [{ codec: 'h265' }, /codec/],
    [{ ffmpegPath: '-version' }, /ffmpegPath/],
    [{ watchdogSec: 'x' }, /watchdogSec/],
    [{ source: '-re' }, /source/],
  ];
  for (const [def, re] of bad) assert.throws(() => parseConfig(def), re, JSON.stringify(def));
});

test('an unresolved ${VAR} is read from the environment, unset means the default', () => {
  assert.equal(parseConfig({ source: '${CAMERA_SOURCE}' }, {}).source, 'testsrc');
  assert.equal(parseConfig({ source: '${CAMERA_SOURCE}' }, { CAMERA_SOURCE: '/dev/video2' }).source, '/dev/video2');
  assert.equal(parseConfig({ cameraId: '${DEVICE_ID}' }, { DEVICE_ID: 'raspberry-01' }).cameraId, 'raspberry-01');
  assert.throws(() => parseConfig({ source: '${CAMERA_SOURCE}' }, { CAMERA_SOURCE: '-i x' }), /source must be/);
});

test('parseTrigger: a message chooses only duration (clamped) and a sanitized event id', () => {
  const cfg = { duration: 10, maxDuration: 60 };
  assert.deepEqual(parseTrigger({ payload: {} }, cfg), { action: 'start', duration: 10, eventId: undefined });
  assert.equal(parseTrigger({ duration: 500 }, cfg).duration, 60);
  assert.equal(parseTrigger({ payload: { duration: 0.2 } }, cfg).duration, 1);
  assert.throws(() => parseTrigger({ duration: 'abc' }, cfg), /duration must be a positive number/);
  assert.equal(parseTrigger({ payload: { event: { id: 'evt-1737123456-abc123', type: 'motion_detected' } } }, cfg).eventId, 'evt-1737123456-abc123');
  assert.equal(parseTrigger({ payload: { event_id: '../../etc/passwd' } }, cfg).eventId, 'etc_passwd');
  assert.equal(parseTrigger({ eventId: '-y -i /etc/shadow' } as never, cfg).eventId, 'y_-i_etc_shadow');
  assert.equal(parseTrigger({ payload: { action: 'stop' } }, cfg).action, 'stop');
  assert.equal(parseTrigger({ payload: { action: 'start' } }, cfg).action, 'start');
  assert.throws(() => parseTrigger({ payload: { action: 'format' } }, cfg), /action must be start or stop/);
  // an Alert triggers with its id
  assert.equal(parseTrigger({ payload: { id: 'a1', ruleId: 'r', state: 'firing' } }, cfg).eventId, 'a1');
});

test('sanitizeId keeps safe characters only', () => {
  assert.equal(sanitizeId('evt 1/2'), 'evt_1_2');
  assert.equal(sanitizeId('---'), '');
  assert.equal(sanitizeId({}), '');
  assert.equal(sanitizeId('x'.repeat(100)).length, 64);
});
