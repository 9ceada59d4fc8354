import { test } from 'node:test';
import assert from 'node:assert/strict';
import { locateFfmpeg, LocateDeps } from '../../nodes/camera-recorder/locate';

test('locateFfmpeg order: setting, FFMPEG_PATH, ffmpeg-static, system', () => {
  const exe = new Set(['/opt/ff/ffmpeg', '/env/ffmpeg', '/static/ffmpeg', '/usr/bin/ffmpeg', '/usr/bin/ffprobe']);
  const deps = (env: Record<string, string>, stat?: string): LocateDeps => ({
    env: { PATH: '/usr/bin', ...env },
    ffmpegStatic: () => stat,
    isExecutable: (f) => exe.has(f),
  });
  assert.deepEqual(locateFfmpeg('/opt/ff/ffmpeg', deps({ FFMPEG_PATH: '/env/ffmpeg' }, '/static/ffmpeg')), {
    ffmpeg: '/opt/ff/ffmpeg',
    origin: 'setting',
    ffprobe: '/usr/bin/ffprobe',
  });
  assert.equal(locateFfmpeg('', deps({ FFMPEG_PATH: '/env/ffmpeg' }, '/static/ffmpeg')).origin, 'FFMPEG_PATH');
  assert.equal(locateFfmpeg('', deps({}, '/static/ffmpeg')).origin, 'ffmpeg-static');
  const sys = locateFfmpeg('', deps({}));
  assert.deepEqual([sys.origin, sys.ffmpeg], ['system', '/usr/bin/ffmpeg']);
  assert.equal(locateFfmpeg('/missing/ffmpeg', deps({})).origin, 'system');
  const none: LocateDeps = { env: { PATH: '/nowhere', FFMPEG_PATH: '/missing' }, ffmpegStatic: () => undefined, isExecutable: () => false };
  assert.throws(() => locateFfmpeg('', none), /ffmpeg not found; tried FFMPEG_PATH \(\/missing\), system/);
});
