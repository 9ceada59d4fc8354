/**
 * RecordingSession with a stand-in for ffmpeg (a shell script that speaks
 * ffmpeg's -progress protocol and quits on 'q'): a clip with no output yet at
 * its planned end (a stream connecting, a busy machine) gets its duration from
 * its first output instead of ending empty.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { RecordingSession } from '../../nodes/camera-recorder/session';
import { tempDir } from '../support/services';

/** First output after `delayS`, then 100 ms of video every 100 ms until 'q' on stdin. */
function fakeFfmpeg(delayS: number): string {
  const file = path.join(tempDir('fake-ffmpeg'), 'ffmpeg');
  fs.writeFileSync(
    file,
    `#!/bin/bash\nsleep ${delayS}\nus=0\nwhile true; do\n  us=$((us+100000))\n  printf 'total_size=%d\\nout_time_us=%d\\nprogress=continue\\n' $us $us\n  if read -r -t 0.1 -n 1 c; then exit 0; fi\ndone\n`,
    { mode: 0o755 },
  );
  return file;
}

function session(ffmpeg: string, durationSec: number, maxDurationSec = 30): RecordingSession {
  return new RecordingSession({
    ffmpeg,
    plan: {
      source: { kind: 'testsrc', location: 'testsrc' },
      width: 320,
      height: 240,
      framerate: 10,
      maxDuration: maxDurationSec,
      encoder: 'mpeg4',
      file: '/dev/null',
    } as never,
    durationSec,
    maxDurationSec,
    watchdogSec: 5,
    graceSec: 2,
  });
}

test('a clip whose first output comes after its planned end still gets its duration of video, counted from that output', { timeout: 20_000 }, async () => {
  const s = session(fakeFfmpeg(1.5), 1);
  const t0 = Date.now();
  s.start();
  const end = await s.finished;
  const took = (Date.now() - t0) / 1000;
  assert.equal(end.reason, 'completed');
  assert.ok(end.outSeconds >= 0.8, `${end.outSeconds} s of video (the end timer fired before any output)`);
  assert.ok(took >= 2.3, `stopped ${took} s after start: 1.5 s to the first output + 1 s of clip`);
});

test('the maximum duration still bounds a clip that started late', { timeout: 20_000 }, async () => {
  const s = session(fakeFfmpeg(1.5), 1, 2);
  const t0 = Date.now();
  s.start();
  const end = await s.finished;
  const took = (Date.now() - t0) / 1000;
  assert.equal(end.reason, 'completed');
  assert.ok(took < 2.5 + 1, `stopped ${took} s after start; the maximum is 2 s`);
  assert.ok(end.outSeconds > 0);
});
