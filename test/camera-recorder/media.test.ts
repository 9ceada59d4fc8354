import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import path from 'path';
import { MediaEntry, planRetention, recordingName, RetentionSweeper, safeJoin } from '../../nodes/camera-recorder/media';
import { tempDir } from '../support/services';

const DAY = 86_400_000;
const now = Date.UTC(2026, 0, 10);
const e = (file: string, ageDays: number, size: number): MediaEntry => ({ camera: 'cam1', file, size, mtimeMs: now - ageDays * DAY });

test('planRetention deletes by age, then oldest first by total size', () => {
  const list = [e('a.mp4', 10, 100), e('b.mp4', 5, 100), e('c.mp4', 2, 100), e('d.mp4', 0.1, 100)];
  assert.deepEqual(
    planRetention(list, { maxAgeDays: 7, maxTotalBytes: 0 }, now).map((x) => x.file),
    ['a.mp4'],
  );
  assert.deepEqual(
    planRetention(list, { maxAgeDays: 0, maxTotalBytes: 250 }, now).map((x) => x.file),
    ['a.mp4', 'b.mp4'],
  );
  assert.deepEqual(
    planRetention(list, { maxAgeDays: 7, maxTotalBytes: 150 }, now).map((x) => x.file),
    ['a.mp4', 'b.mp4', 'c.mp4'],
  );
  assert.deepEqual(planRetention(list, { maxAgeDays: 0, maxTotalBytes: 0 }, now), []);
  // the file being recorded is never deleted
  assert.deepEqual(
    planRetention(list, { maxAgeDays: 1, maxTotalBytes: 0 }, now, new Set(['b.mp4'])).map((x) => x.file),
    ['a.mp4', 'c.mp4'],
  );
});

test('safeJoin and recordingName keep files inside the media folder', () => {
  assert.equal(safeJoin('/m', 'cam1', 'x.mp4'), '/m/cam1/x.mp4');
  assert.throws(() => safeJoin('/m', '..', 'etc'), /escapes/);
  assert.throws(() => safeJoin('/m', '/etc/passwd'), /escapes/);
  assert.equal(recordingName(Date.UTC(2026, 0, 2, 3, 4, 5, 6), 'evt/../x'), '20260102T030405006Z_evt____x.mp4');
  assert.match(recordingName(0), /_manual\.mp4$/);
});

test('RetentionSweeper: deletes what the policy drops but never the recording in progress, logs it, and a failing sweep only warns', () => {
  const dir = tempDir('sweeper');
  fs.mkdirSync(path.join(dir, 'cam'));
  const old = new Date(Date.now() - 30 * DAY);
  for (const f of ['a.mp4', 'b.mp4', 'live.mp4']) {
    fs.writeFileSync(path.join(dir, 'cam', f), 'x');
    fs.utimesSync(path.join(dir, 'cam', f), old, old);
  }
  const logs: string[] = [];
  const warnings: string[] = [];
  const sweeper = new RetentionSweeper({
    root: dir,
    cameraId: 'cam',
    policy: { maxAgeDays: 7, maxTotalBytes: 0 },
    keep: () => ['live.mp4'],
    log: (t) => logs.push(t),
    warn: (t) => warnings.push(t),
  });
  assert.equal(sweeper.sweep(), 2);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'cam')), ['live.mp4']);
  assert.deepEqual(logs, ['retention deleted 2 recording(s) of cam']);
  assert.equal(sweeper.sweep(), 0, 'nothing left to delete: nothing logged');
  assert.equal(logs.length, 1);
  const broken = new RetentionSweeper({
    root: dir,
    cameraId: 'cam',
    policy: { maxAgeDays: 7, maxTotalBytes: 0 },
    keep: () => {
      throw new Error('recorder state unreadable');
    },
    log: () => undefined,
    warn: (t) => warnings.push(t),
  });
  assert.equal(broken.sweep(), 0);
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0], 'retention: recorder state unreadable');
  sweeper.start(60_000);
  sweeper.stop();
});
