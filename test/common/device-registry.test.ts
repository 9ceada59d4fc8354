/**
 * The device registry: field checks, set / replace / clear, imports with
 * problems per row, the bound, the lookup the flows use, and the file store
 * (atomic save, reload, an unreadable file set aside).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { checkFields, checkId, DeviceRegistry, deviceInfo, deviceLabel, ImportRow } from '../../nodes/common/device-registry';
import { openRegistry, readRegistryFile, registryMax } from '../../app/registry-store';
import { tempDir } from '../support/services';

const rows = (...values: unknown[]): ImportRow[] => values.map((value, i) => ({ row: i + 1, value }));

test('checkId takes what the normalizer takes: 1 to 128 characters, no control characters; trimmed', () => {
  assert.equal(checkId(' cam-01 '), 'cam-01');
  assert.equal(checkId('living room/lamp'), 'living room/lamp', 'a Zigbee2MQTT friendly name may hold /');
  assert.equal(checkId('x'.repeat(128)).length, 128);
  const cases: Array<[unknown, RegExp]> = [
    [undefined, /id must be a string/],
    [42, /id must be a string/],
    ['  ', /id is required/],
    ['x'.repeat(129), /longer than 128/],
    ['a\nb', /control characters/],
    ['a\u007fb', /control characters/],
  ];
  for (const [v, re] of cases)
    assert.throws(
      () => checkId(v),
      (err: Error & { field?: string }) => re.test(err.message) && err.field === 'id',
      String(v),
    );
});

test('checkFields: every problem named by its field; "" and null clear; text trimmed', () => {
  const { change, problems } = checkFields({ id: 'x', name: ' Front door ', location: '', type: null, owner: 7, colour: 'red', updatedAt: 1 });
  assert.deepEqual(change, { name: 'Front door', location: null, type: null });
  assert.deepEqual(
    problems.map((p) => p.field),
    ['owner', 'colour'],
  );
  assert.match(problems[1].message, /colour is not a registry field \(id, name, location, type, owner\)/);
  const long = checkFields({ name: 'n'.repeat(101), location: 'l'.repeat(200), type: 'a\tb' });
  assert.deepEqual(
    long.problems.map((p) => [p.field, /longer than 100|control/.test(p.message)]),
    [
      ['name', true],
      ['type', true],
    ],
  );
  assert.equal(long.change.location, 'l'.repeat(200));
});

test('set replaces or merges, answers what happened, and a blank entry is removed', () => {
  let t = 1000;
  const saved: number[] = [];
  const r = new DeviceRegistry(
    {},
    (e) => saved.push(e.length),
    () => t,
  );
  assert.equal(r.set('cam-1', { name: 'Front door', location: 'Entrance' }).result, 'added');
  assert.deepEqual(r.get('cam-1'), { id: 'cam-1', name: 'Front door', location: 'Entrance', type: '', owner: '' });
  assert.equal(r.entry('cam-1')!.updatedAt, 1000);
  t = 2000;
  assert.equal(r.set('cam-1', { type: 'camera' }, false).result, 'updated', 'merge keeps the other fields');
  assert.deepEqual(r.get('cam-1'), { id: 'cam-1', name: 'Front door', location: 'Entrance', type: 'camera', owner: '' });
  assert.equal(r.set('cam-1', { name: 'Front door', location: 'Entrance', type: 'camera' }).result, 'unchanged');
  assert.equal(r.set('cam-1', { name: 'Gate' }).result, 'updated', 'replace clears what it does not carry');
  assert.deepEqual(r.get('cam-1'), { id: 'cam-1', name: 'Gate', location: '', type: '', owner: '' });
  assert.equal(r.set('cam-1', { name: '' }).result, 'removed');
  assert.equal(r.get('cam-1'), undefined);
  assert.equal(r.set('nothing', {}).result, 'unchanged');
  assert.throws(
    () => r.set('cam-2', { name: 'x'.repeat(101) }),
    (err: Error & { field?: string }) => err.field === 'name',
  );
  assert.deepEqual(saved, [1, 1, 1, 0], 'one save per change, none for unchanged or refused ones');
  assert.equal(r.version, 4);
});

test('a save that fails changes nothing', () => {
  let fail = false;
  const r = new DeviceRegistry({}, () => {
    if (fail) throw new Error('disk full');
  });
  r.set('a', { name: 'A' });
  fail = true;
  assert.throws(() => r.set('a', { name: 'B' }), /disk full/);
  assert.throws(() => r.import(rows({ id: 'b', name: 'B' })), /disk full/);
  assert.equal(r.get('a')!.name, 'A');
  assert.equal(r.get('b'), undefined);
  assert.equal(r.size, 1);
});

test('import: rows set what they carry, bad rows are reported and skipped, the rest go in with one save', () => {
  let saves = 0;
  const r = new DeviceRegistry({}, () => {
    saves++;
  });
  r.set('cam-1', { name: 'Front door', owner: 'ops' });
  saves = 0;
  const out = r.import(
    rows(
      { id: 'cam-1', location: 'Entrance' },
      { id: 'cam-2', name: 'Back yard', location: '' },
      { id: '', name: 'no id' },
      { id: 'cam-3', name: 'x'.repeat(101), type: 3 },
      { id: 'cam-2', name: 'twice' },
      'not an object',
      { id: 'cam-4' },
      { id: 'cam-1', location: 'Entrance' },
    ),
  );
  assert.deepEqual([out.rows, out.added, out.updated, out.unchanged], [8, 1, 1, 1]);
  assert.deepEqual(
    out.errors.map((e) => [e.row, e.field]),
    [
      [3, 'id'],
      [4, 'name'],
      [4, 'type'],
      [5, 'id'],
      [6, 'row'],
      [8, 'id'],
    ],
  );
  assert.match(out.errors[3].error, /cam-2 is already in row 2 of this import/);
  assert.equal(out.errors[1].id, 'cam-3');
  assert.deepEqual(r.get('cam-1'), { id: 'cam-1', name: 'Front door', location: 'Entrance', type: '', owner: 'ops' }, 'fields the row does not carry are kept');
  assert.equal(r.get('cam-2')!.name, 'Back yard');
  assert.equal(r.get('cam-4'), undefined, 'a row with nothing to register adds nothing');
  assert.equal(saves, 1);
  const again = r.import(rows({ id: 'cam-1', location: 'Entrance' }));
  assert.deepEqual([again.added, again.updated, again.unchanged, saves], [0, 0, 1, 1], 'nothing changed: no save');
});

test('the bound: past maxDevices new devices are refused, changes to known ones still go in', () => {
  const r = new DeviceRegistry({ maxDevices: 2 });
  const out = r.import(rows({ id: 'a', name: 'A' }, { id: 'b', name: 'B' }, { id: 'c', name: 'C' }));
  assert.deepEqual([out.added, out.errors.length], [2, 1]);
  assert.match(out.errors[0].error, /registry is full \(2 devices, REGISTRY_MAX_DEVICES\)/);
  assert.throws(() => r.set('d', { name: 'D' }), /registry is full/);
  assert.equal(r.set('a', { name: 'A2' }).result, 'updated');
});

test('deviceInfo reads the registry, anything with get(), or a plain object; deviceLabel', () => {
  const r = new DeviceRegistry();
  r.set('cam-1', { name: 'Front door', location: 'Entrance' });
  assert.deepEqual(deviceInfo(r, 'cam-1'), { id: 'cam-1', name: 'Front door', location: 'Entrance', type: '', owner: '' });
  assert.equal(deviceInfo(r, 'cam-9'), undefined);
  const plain = { 'cam-2': { name: 'Garage\nside', location: 42 } };
  assert.deepEqual(deviceInfo(plain, 'cam-2'), { id: 'cam-2', name: 'Garage side', location: '', type: '', owner: '' });
  assert.equal(deviceInfo(plain, 'toString'), undefined, 'no prototype lookups');
  assert.equal(
    deviceInfo(
      {
        get: () => {
          throw new Error('x');
        },
      },
      'a',
    ),
    undefined,
  );
  assert.equal(deviceInfo(undefined, 'a'), undefined);
  assert.equal(deviceLabel('cam-1', deviceInfo(r, 'cam-1')), 'Front door (cam-1) · Entrance');
  assert.equal(deviceLabel('cam-9'), 'cam-9');
  assert.equal(deviceLabel('cam-2', { id: 'cam-2', name: '', location: 'Garage', type: '', owner: '' }), 'cam-2 · Garage');
});

test('file store: changes are saved atomically and load back; bad entries are skipped; an unreadable file is set aside', () => {
  const dir = tempDir('registry');
  const warnings: string[] = [];
  const r = openRegistry(dir, 100, (l) => warnings.push(l));
  assert.equal(r.size, 0);
  r.set('cam-1', { name: 'Front door', location: 'Entrance' });
  r.import(rows({ id: 'cam-2', name: 'Back' }));
  assert.deepEqual(fs.readdirSync(dir).sort(), ['devices.journal', 'devices.json'], 'no temporary file left behind');
  const again = openRegistry(dir, 100, (l) => warnings.push(l));
  assert.deepEqual(
    again.list().map((e) => [e.id, e.name]),
    [
      ['cam-1', 'Front door'],
      ['cam-2', 'Back'],
    ],
  );
  assert.equal(warnings.length, 0, warnings.join('\n'));

  const saved = JSON.parse(fs.readFileSync(path.join(dir, 'devices.json'), 'utf8'));
  saved.devices.push({ id: '', name: 'x' }, { id: 'ok', name: 'y'.repeat(300) });
  fs.writeFileSync(path.join(dir, 'devices.json'), JSON.stringify(saved));
  const partly = openRegistry(dir, 100, (l) => warnings.push(l));
  assert.equal(partly.size, 2);
  assert.match(warnings.join('\n'), /2 saved entries skipped/);

  fs.writeFileSync(path.join(dir, 'devices.json'), '{"devices": [');
  warnings.length = 0;
  const fresh = openRegistry(dir, 100, (l) => warnings.push(l));
  assert.equal(fresh.size, 0);
  assert.match(warnings[0], /cannot be read .* set aside as devices\.json\.bad-\d+/);
  assert.ok(
    fs.readdirSync(dir).some((f) => f.startsWith('devices.json.bad-')),
    'the unreadable file is kept',
  );
  assert.deepEqual(readRegistryFile(path.join(dir, 'devices.json')), []);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('REGISTRY_MAX_DEVICES is checked', () => {
  assert.equal(registryMax(undefined), 50_000);
  assert.equal(registryMax('10'), 10);
  assert.throws(() => registryMax('0'), /REGISTRY_MAX_DEVICES must be a whole number from 1 to 1000000, got "0"/);
  assert.throws(() => registryMax('lots'), /REGISTRY_MAX_DEVICES/);
});
