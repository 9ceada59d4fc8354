/**
 * Real recordings with the system ffmpeg from the lavfi test pattern, checked
 * with ffprobe: plain, extended, capped, closed, and killed by the watchdog.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import fs from 'fs';
import http from 'http';
import type { AddressInfo } from 'net';
import { parseConfig } from '../../nodes/camera-recorder/config';
import { locateFfmpeg } from '../../nodes/camera-recorder/locate';
import { CameraRecorder, RecordingError } from '../../nodes/camera-recorder/recorder';
import type { Recording } from '../../nodes/common/types';
import { missing, tempDir } from '../support/services';

const skip = missing('ffmpeg', 'ffprobe');
const root = tempDir('camera-int');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const c of cleanups) await c();
});

function recorder(def: Record<string, unknown>, rpicam?: string): CameraRecorder {
  const cfg = parseConfig({ cameraId: 'cam1', source: 'testsrc', resolution: '320x240', framerate: 15, duration: 2, graceSec: 2, ...def });
  const r = new CameraRecorder(cfg, { location: locateFfmpeg(''), mediaRoot: root, rpicam });
  cleanups.push(() => r.close());
  return r;
}

function ffprobe(file: string): { duration: number; codec: string; width: number; height: number } {
  const out = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file], { encoding: 'utf8' }));
  const v = out.streams.find((s: { codec_type: string }) => s.codec_type === 'video');
  return { duration: Number(out.format.duration), codec: v.codec_name, width: v.width, height: v.height };
}

function started(r: CameraRecorder, trigger: { duration: number; eventId?: string }): Promise<Recording> {
  const o = r.trigger({ action: 'start', ...trigger });
  assert.equal(o.kind, 'started');
  return (o as { recording: Promise<Recording> }).recording;
}

test('records a 2 s H.264 mp4 with metadata and a JPEG thumbnail', { skip, timeout: 60_000 }, async () => {
  const r = recorder({});
  const rec = await started(r, { duration: 2, eventId: 'evt-1737123456-abc123' });
  assert.ok(rec.file.startsWith(`${root}/cam1/`), rec.file);
  assert.match(rec.file, /_evt-1737123456-abc123\.mp4$/);
  const probe = ffprobe(rec.file);
  assert.equal(probe.codec, 'h264');
  assert.deepEqual([probe.width, probe.height], [320, 240]);
  assert.ok(probe.duration >= 1.0 && probe.duration <= 3.2, `duration ${probe.duration}`);
  assert.equal(rec.duration.toFixed(1), probe.duration.toFixed(1));
  assert.deepEqual([rec.width, rec.height, rec.codec, rec.eventId], [320, 240, 'h264', 'evt-1737123456-abc123']);
  assert.equal(rec.size, fs.statSync(rec.file).size);
  assert.ok(
    rec.thumbnail &&
      fs
        .readFileSync(rec.thumbnail)
        .subarray(0, 2)
        .equals(Buffer.from([0xff, 0xd8])),
    'thumbnail is a JPEG',
  );
  assert.equal(r.recording, false);
});

test('a trigger during a recording extends it instead of starting another ffmpeg; the maximum caps it', { skip, timeout: 60_000 }, async () => {
  const r = recorder({ maxDuration: 4 });
  const t0 = Date.now();
  const done = started(r, { duration: 2 });
  await sleep(1200);
  const ext = r.trigger({ action: 'start', duration: 2 });
  assert.equal(ext.kind, 'extended');
  await sleep(1200);
  const capped = r.trigger({ action: 'start', duration: 30 });
  assert.equal(capped.kind, 'extended');
  assert.ok((capped as { secondsLeft: number }).secondsLeft <= 2, `capped to the 4 s maximum, got ${JSON.stringify(capped)}`);
  const rec = await done;
  const probe = ffprobe(rec.file);
  assert.ok(probe.duration >= 2.5 && probe.duration <= 4.6, `extended duration ${probe.duration}`);
  assert.ok(Date.now() - t0 < 12_000);
  assert.equal(fs.readdirSync(`${root}/cam1`).filter((f) => f.endsWith('.mp4') && fs.statSync(`${root}/cam1/${f}`).mtimeMs >= t0).length, 1, 'one file');
});

test('two cameras record independently', { skip, timeout: 60_000 }, async () => {
  const a = recorder({ cameraId: 'camA' });
  const b = recorder({ cameraId: 'camB', resolution: '160x120' });
  const [ra, rb] = await Promise.all([started(a, { duration: 2 }), started(b, { duration: 3 })]);
  assert.ok(ra.file.includes('/camA/') && rb.file.includes('/camB/'));
  assert.deepEqual([ffprobe(ra.file).width, ffprobe(rb.file).width], [320, 160]);
  assert.ok(ffprobe(rb.file).duration > ffprobe(ra.file).duration);
});

test('close stops a long recording with SIGINT and leaves a finalized file', { skip, timeout: 60_000 }, async () => {
  const r = recorder({ duration: 30 });
  const done = started(r, { duration: 30 });
  await sleep(2500);
  const t0 = Date.now();
  await r.close();
  assert.ok(Date.now() - t0 < 4000, `close took ${Date.now() - t0} ms`);
  const rec = await done;
  const probe = ffprobe(rec.file);
  assert.ok(probe.duration > 0.5 && probe.duration < 4, `closed duration ${probe.duration}`);
});

test('msg stop ends the recording early', { skip, timeout: 60_000 }, async () => {
  const r = recorder({ duration: 20 });
  const done = started(r, { duration: 20 });
  await sleep(2000);
  assert.equal(r.trigger({ action: 'stop', duration: 0 }).kind, 'stopping');
  const rec = await done;
  assert.ok(rec.duration < 5, `stopped at ${rec.duration}`);
  assert.equal(r.trigger({ action: 'stop', duration: 0 }).kind, 'idle');
});

test('the watchdog kills an ffmpeg whose HTTP source sends headers then nothing, and reports it', { skip, timeout: 60_000 }, async () => {
  const sockets = new Set<import('net').Socket>();
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'video/mp2t' });
    res.flushHeaders(); // then never a byte
  });
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  cleanups.push(() => {
    sockets.forEach((s) => s.destroy());
    server.close();
  });
  const r = recorder({
    source: `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`,
    watchdogSec: 2,
    graceSec: 1,
    duration: 20,
    cameraId: 'stall',
  });
  const t0 = Date.now();
  const err = await started(r, { duration: 20 }).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.ok(err instanceof RecordingError, `expected a RecordingError, got ${err}`);
  assert.equal(err.result, 'stalled');
  assert.match(err.message, /stopped producing output for 2 s/);
  const took = Date.now() - t0;
  assert.ok(took >= 3500 && took < 12_000, `killed after ${took} ms`);
  assert.equal(r.recording, false);
});

test('the watchdog kills a frozen ffmpeg (SIGSTOP) with SIGKILL after the grace period', { skip, timeout: 60_000 }, async () => {
  const r = recorder({ watchdogSec: 2, graceSec: 1, duration: 20, cameraId: 'frozen' });
  const done = started(r, { duration: 20 }).then(
    () => undefined,
    (e: Error) => e,
  );
  // wait until ffmpeg reported real output (-progress), then freeze the process
  const session = () => (r as unknown as { session?: { pid: number; lastOutUs: number } }).session;
  for (let i = 0; i < 200 && !((session()?.lastOutUs ?? 0) > 500_000); i++) await sleep(50);
  assert.ok((session()?.lastOutUs ?? 0) > 500_000, 'ffmpeg produced output before the freeze');
  const pid = session()!.pid;
  assert.ok(pid > 0);
  process.kill(pid, 'SIGSTOP');
  const t0 = Date.now();
  const err = await done;
  assert.ok(err instanceof RecordingError && err.result === 'stalled', `got ${err}`);
  const took = Date.now() - t0;
  assert.ok(took >= 2000 && took < 10_000, `killed ${took} ms after the freeze (watchdog 2 s + grace 1 s)`);
  assert.throws(() => process.kill(pid, 0), /ESRCH/, 'process is gone');
});

test('triggers while a clip is set up or finalized never start a second ffmpeg at once', { skip, timeout: 60_000 }, async () => {
  const r = recorder({ cameraId: 'burst', graceSec: 2 });
  const first = started(r, { duration: 2, eventId: 'a' });
  // same tick: the encoder probe is still running, so these merge into the first clip
  assert.equal(r.trigger({ action: 'start', duration: 3 }).kind, 'extended');
  assert.equal(r.trigger({ action: 'start', duration: 1 }).kind, 'extended');
  const session = () => (r as unknown as { session?: { stopping: boolean; running: boolean } }).session;
  for (let i = 0; i < 200 && !session()?.stopping; i++) await sleep(20);
  assert.ok(session()?.stopping, 'first clip is being finalized');
  const second = started(r, { duration: 2, eventId: 'b' });
  const [a, b] = await Promise.all([first, second]);
  assert.ok(a.duration >= 2.3, `merged duration ${a.duration}`);
  assert.ok(b.startedAt >= a.endedAt - 1000 && b.file !== a.file, 'second clip after the first');
  assert.ok(ffprobe(b.file).duration > 1);
});

test('rpicam source: raw H.264 from the camera program piped into ffmpeg, stopped through the pipe', { skip, timeout: 60_000 }, async () => {
  // Stands in for rpicam-vid: raw H.264 on stdout until SIGINT, whatever the options.
  const fake = `${tempDir('rpicam')}/rpicam-vid`;
  fs.writeFileSync(
    fake,
    '#!/bin/sh\nexec ffmpeg -hide_banner -loglevel error -nostdin -re -f lavfi -i testsrc=size=320x240:rate=15 -c:v libx264 -preset ultrafast -f h264 -\n',
    { mode: 0o755 },
  );
  const r = recorder({ cameraId: 'picam', source: 'rpicam', framerate: 15 }, fake);
  const rec = await started(r, { duration: 2 });
  const probe = ffprobe(rec.file);
  assert.equal(probe.codec, 'h264');
  assert.deepEqual([probe.width, probe.height], [320, 240]);
  assert.ok(probe.duration >= 1 && probe.duration <= 3.5, `duration ${probe.duration}`);
});

test('rpicam source without rpicam-vid or libcamera-vid fails with a clear error', { skip, timeout: 20_000 }, async () => {
  const r = new CameraRecorder(parseConfig({ cameraId: 'nocam', source: 'rpicam' }), { location: locateFfmpeg(''), mediaRoot: root, rpicam: '' });
  const err = await started(r, { duration: 2 }).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.match(String(err), /neither rpicam-vid nor libcamera-vid is installed/);
});
