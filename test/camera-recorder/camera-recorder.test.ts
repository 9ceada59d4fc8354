/**
 * camera-recorder in node-red-node-test-helper: a motion Reading in, a
 * Recording and a metadata Reading out; a missing ffmpeg fails into a Catch node.
 */
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import { collect, helper, load, nodeModule, startServer, stopServer } from '../support/red';
import { missing, tempDir } from '../support/services';

const skip = missing('ffmpeg', 'ffprobe');
const dataDir = tempDir('camera-node');
process.env.DATA_DIR = dataDir;
const camera = nodeModule('camera-recorder');

before(startServer);
afterEach(() => helper.unload());
after(stopServer);

const flow = (props: Record<string, unknown>) => [
  { id: 'tab', type: 'tab', label: 'camera' },
  {
    id: 'cam',
    type: 'camera-recorder',
    z: 'tab',
    x: 100,
    y: 100,
    cameraId: 'entrance',
    source: 'testsrc',
    resolution: '320x240',
    duration: 2,
    maxDuration: 10,
    ...props,
    wires: [['rec'], ['meta']],
  },
  { id: 'catch', type: 'catch', z: 'tab', x: 100, y: 100, scope: null, uncaught: false, wires: [['caught']] },
  { id: 'rec', type: 'helper', z: 'tab' },
  { id: 'meta', type: 'helper', z: 'tab' },
  { id: 'caught', type: 'helper', z: 'tab' },
];

const motion = {
  topic: 'sensors/raspberry-01/motion',
  payload: {
    deviceId: 'raspberry-01',
    sensorType: 'motion',
    ts: Date.now(),
    metrics: { motion: 1 },
    event: { id: 'evt-42', type: 'motion_detected' },
    received: Date.now(),
  },
};

test('a motion Reading records a clip: Recording on output 1, metadata Reading on output 2', { skip, timeout: 60_000 }, async () => {
  await load([camera], flow({}));
  const cam = helper.getNode('cam');
  const statuses: Array<{ fill?: string; text?: string }> = [];
  cam.on('call:status', (call: { args: [{ fill?: string; text?: string }] }) => statuses.push(call.args[0]));
  const recP = collect('rec', 1, 30_000);
  const metaP = collect('meta', 1, 30_000);
  cam.receive(motion);
  const [[rec], [meta]] = await Promise.all([recP, metaP]);
  assert.equal(rec.topic, 'recordings/entrance');
  assert.equal(rec.payload.eventId, 'evt-42');
  assert.equal(rec.recording.thumbnail, rec.payload.thumbnail);
  assert.ok(rec.payload.file.startsWith(`${dataDir}/media/entrance/`));
  assert.ok(fs.statSync(rec.payload.file).size > 1000);
  assert.deepEqual([rec.payload.width, rec.payload.height, rec.payload.codec], [320, 240, 'h264']);
  assert.equal(meta.payload.sensorType, 'recording');
  assert.equal(meta.payload.deviceId, 'entrance');
  assert.deepEqual(Object.keys(meta.payload.metrics).sort(), ['duration_s', 'height', 'size_bytes', 'width']);
  assert.equal(meta.payload.metrics.size_bytes, rec.payload.size);
  assert.ok(
    statuses.some((s) => s.fill === 'blue' && /recording · \d s left/.test(s.text || '')),
    JSON.stringify(statuses),
  );
  assert.ok(
    statuses.some((s) => s.fill === 'green' && /^last: /.test(s.text || '')),
    JSON.stringify(statuses),
  );
});

test('missing ffmpeg: red status at start, and every trigger fails into Catch with a clear error', { timeout: 20_000 }, async () => {
  const savedPath = process.env.PATH;
  const savedFf = process.env.FFMPEG_PATH;
  process.env.PATH = tempDir('empty-path');
  delete process.env.FFMPEG_PATH;
  try {
    await load([camera], flow({ ffmpegPath: '' }));
  } finally {
    process.env.PATH = savedPath;
    if (savedFf !== undefined) process.env.FFMPEG_PATH = savedFf;
  }
  const cam = helper.getNode('cam');
  const calls = cam.status.getCalls().filter((c: { thisValue: { id: string } }) => c.thisValue.id === 'cam');
  assert.deepEqual(calls[0]?.args[0]?.fill, 'red', 'red status when the node starts');
  assert.match(calls[0].args[0].text, /ffmpeg not found/);
  const caughtP = collect('caught', 1, 5000);
  cam.receive(motion);
  const [caught] = await caughtP;
  assert.match(caught.error.message, /ffmpeg not found/);
  assert.equal(caught.error.source.id, 'cam');
});

test('a bad source in the config is refused with the field named', { timeout: 20_000 }, async () => {
  await load([camera], flow({ source: '-f lavfi' }));
  const caughtP = collect('caught', 1, 5000);
  helper.getNode('cam').receive(motion);
  const [caught] = await caughtP;
  assert.match(caught.error.message, /source must be testsrc, rpicam, \/dev\/videoN/);
});
