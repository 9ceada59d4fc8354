import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import path from 'path';
import express from 'express';
import type { AddressInfo } from 'net';
import { applyRetention, listRecordings, MediaPathError, planRetention, resolveMedia } from '../../nodes/camera-recorder/media';
import { registerRoutes } from '../../nodes/camera-recorder/routes';
import { tempDir } from '../support/services';

const DAY = 86_400_000;

const root = tempDir('media');
let server: import('http').Server | undefined;
after(() => server?.close());

test('listing, retention on disk and the HTTP routes (Range, traversal refused)', async () => {
  fs.mkdirSync(path.join(root, 'cam1'));
  fs.mkdirSync(path.join(root, 'cam2'));
  const video = Buffer.alloc(1000, 7);
  fs.writeFileSync(path.join(root, 'cam1', 'old.mp4'), video);
  fs.writeFileSync(path.join(root, 'cam1', 'old.jpg'), 'jpg');
  fs.utimesSync(path.join(root, 'cam1', 'old.mp4'), new Date(Date.now() - 30 * DAY), new Date(Date.now() - 30 * DAY));
  fs.writeFileSync(path.join(root, 'cam1', 'new.mp4'), video);
  fs.writeFileSync(path.join(root, 'cam2', 'other.mp4'), Buffer.from('0123456789'));
  fs.writeFileSync(path.join(root, 'secret.txt'), 'top secret');

  const app = express();
  assert.equal(
    registerRoutes(app as never, () => root),
    true,
  );
  assert.equal(
    registerRoutes(app as never, () => root),
    false,
    'registered once per app',
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server!.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const list = (await (await fetch(`${base}/recordings`)).json()) as Array<Record<string, unknown>>;
  assert.deepEqual(list.map((x) => `${x.camera}/${x.file}`).sort(), ['cam1/new.mp4', 'cam1/old.mp4', 'cam2/other.mp4']);
  assert.equal(list.find((x) => x.file === 'old.mp4')?.thumbnailUrl, '/recordings/cam1/old.jpg');
  const cam2 = (await (await fetch(`${base}/recordings?camera=cam2`)).json()) as unknown[];
  assert.equal(cam2.length, 1);

  const ranged = await fetch(`${base}/recordings/cam2/other.mp4`, { headers: { Range: 'bytes=2-5' } });
  assert.equal(ranged.status, 206);
  assert.equal(await ranged.text(), '2345');
  assert.equal(ranged.headers.get('content-range'), 'bytes 2-5/10');
  assert.equal((await fetch(`${base}/recordings/cam1/old.jpg`)).status, 200);
  for (const bad of [
    '/recordings/..%2Fsecret.txt',
    '/recordings/cam1/..%2F..%2Fsecret.txt',
    '/recordings/cam1/%2E%2E%2Fcam2%2Fother.mp4',
    '/recordings/cam1/x.txt',
    '/recordings/..%2F/secret.txt',
  ]) {
    const res = await fetch(base + bad);
    assert.ok(res.status === 400 || res.status === 404, `${bad} -> ${res.status}`);
    assert.doesNotMatch(await res.text(), /top secret/);
  }
  assert.equal((await fetch(`${base}/recordings/cam1/missing.mp4`)).status, 404);
  assert.equal((await fetch(`${base}/recordings?camera=../x`)).status, 400);

  const entries = listRecordings(root, 'cam1');
  const doomed = planRetention(entries, { maxAgeDays: 7, maxTotalBytes: 0 }, Date.now());
  assert.equal(applyRetention(root, doomed), 1);
  assert.deepEqual(fs.readdirSync(path.join(root, 'cam1')).sort(), ['new.mp4']);
});

test('symbolic links in the media folder are neither listed nor served; a linked media folder itself is fine', async () => {
  const outside = tempDir('media-outside');
  fs.writeFileSync(path.join(outside, 'leak.mp4'), 'outside the media folder');
  fs.mkdirSync(path.join(outside, 'cam'));
  fs.writeFileSync(path.join(outside, 'cam', 'x.mp4'), 'linked folder');
  const real = tempDir('media-real');
  fs.mkdirSync(path.join(real, 'cam3'));
  fs.writeFileSync(path.join(real, 'cam3', 'ok.mp4'), 'fine');
  fs.symlinkSync(path.join(outside, 'leak.mp4'), path.join(real, 'cam3', 'leak.mp4'));
  fs.symlinkSync(path.join(real, 'cam3', 'ok.mp4'), path.join(real, 'cam3', 'alias.mp4'));
  fs.symlinkSync(path.join(outside, 'cam'), path.join(real, 'linked'));
  const linkedRoot = path.join(tempDir('media-link'), 'media');
  fs.symlinkSync(real, linkedRoot);

  assert.deepEqual(
    listRecordings(linkedRoot).map((e) => `${e.camera}/${e.file}`),
    ['cam3/ok.mp4'],
  );
  assert.throws(() => resolveMedia(linkedRoot, 'cam3', 'leak.mp4'), MediaPathError);
  assert.throws(() => resolveMedia(linkedRoot, 'linked', 'x.mp4'), MediaPathError);

  const app = express();
  registerRoutes(app as never, () => linkedRoot);
  const srv = app.listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  try {
    const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    assert.equal(await (await fetch(`${base}/recordings/cam3/ok.mp4`)).text(), 'fine');
    for (const bad of ['/recordings/cam3/leak.mp4', '/recordings/cam3/alias.mp4', '/recordings/linked/x.mp4']) {
      const res = await fetch(base + bad);
      assert.equal(res.status, 403, bad);
      assert.doesNotMatch(await res.text(), /outside the media folder"|linked folder|fine/);
    }
  } finally {
    srv.close();
  }
});
