import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProbe, parseProgress, recordArgs, redactUrl, rpicamArgs, thumbnailArgs, withCredentials } from '../../nodes/camera-recorder/ffmpeg-args';

const plan = (kind: 'testsrc' | 'v4l2' | 'url' | 'rpicam', location = '') => ({
  source: { kind, location },
  width: 640,
  height: 480,
  framerate: 10,
  maxDuration: 60,
  encoder: 'libx264' as const,
  file: '/data/media/cam1/x.mp4',
});

test('recordArgs builds an argument array per source kind', () => {
  const t = recordArgs(plan('testsrc'));
  assert.deepEqual(t.slice(t.indexOf('-f'), t.indexOf('-f') + 4), ['-f', 'lavfi', '-i', 'testsrc=size=640x480:rate=10']);
  assert.ok(t.includes('-re'));
  assert.deepEqual(t.slice(-2), ['-n', '/data/media/cam1/x.mp4']);
  assert.equal(t[t.indexOf('-t') + 1], '60');
  assert.equal(t[t.indexOf('-progress') + 1], 'pipe:1');
  assert.equal(t[t.indexOf('-c:v') + 1], 'libx264');

  const v = recordArgs(plan('v4l2', '/dev/video0'));
  assert.deepEqual(v.slice(v.indexOf('v4l2') - 1, v.indexOf('v4l2') + 7), ['-f', 'v4l2', '-framerate', '10', '-video_size', '640x480', '-i', '/dev/video0']);
  const r = recordArgs(plan('url', 'rtsp://cam/s'));
  assert.deepEqual(r.slice(r.indexOf('-rtsp_transport'), r.indexOf('-rtsp_transport') + 4), ['-rtsp_transport', 'tcp', '-i', 'rtsp://cam/s']);
  const h = recordArgs(plan('url', 'http://cam/s'));
  assert.ok(!h.includes('-rtsp_transport'));
  const p = recordArgs(plan('rpicam'));
  assert.deepEqual(p.slice(p.indexOf('-i'), p.indexOf('-i') + 2), ['-i', 'pipe:0']);
  assert.equal(p[p.indexOf('-c:v') + 1], 'copy');
  const m = recordArgs({ ...plan('testsrc'), encoder: 'mpeg4' });
  assert.equal(m[m.indexOf('-c:v') + 1], 'mpeg4');
  assert.throws(() => recordArgs({ ...plan('testsrc'), file: '-y' }));
  assert.deepEqual(rpicamArgs(plan('rpicam')).slice(-3), ['--inline', '-o', '-']);
  assert.ok(thumbnailArgs('/a.mp4', '/a.jpg', 1).includes('-nostdin'));
});

test('credentials go into the URL at spawn time and are redacted in messages', () => {
  const u = withCredentials('rtsp://cam:554/s', 'admin', 'p@ss:w/rd');
  assert.equal(u, 'rtsp://admin:p%40ss%3Aw%2Frd@cam:554/s');
  assert.equal(withCredentials('rtsp://cam/s'), 'rtsp://cam/s');
  assert.equal(redactUrl(`cannot open ${u}: 401`), 'cannot open rtsp://***@cam:554/s: 401');
});

test('parseProbe and parseProgress read ffprobe / -progress output', () => {
  const probe = parseProbe(JSON.stringify({ streams: [{ codec_name: 'h264', width: 320, height: 240 }], format: { duration: '2.533333' } }));
  assert.deepEqual(probe, { duration: 2.533, width: 320, height: 240, codec: 'h264' });
  assert.throws(() => parseProbe('{"streams":[],"format":{}}'), /no video stream/);
  assert.deepEqual(parseProgress('frame=30\nout_time_us=2000000\ntotal_size=4096\nprogress=continue\n'), { frame: 30, outTimeUs: 2000000, totalSize: 4096 });
  assert.equal(parseProgress('progress=end\n').end, true);
  assert.deepEqual(parseProgress('out_time_us=N/A\n'), {});
});
