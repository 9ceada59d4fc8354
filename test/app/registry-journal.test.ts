/**
 * The registry's journal (app/registry-journal.ts) on real files: a change is
 * one line, replayed at start; compaction rewrites the snapshot under a new
 * generation and empties the journal; a line cut by a crash is dropped; a
 * crash between a new snapshot and the emptied journal (compaction or import)
 * does not replay old changes over the new snapshot.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openRegistry } from '../../app/registry-store';
import { readJournal } from '../../app/registry-journal';
import { tempDir } from '../support/services';

const names = (r: { list(): Array<{ id: string; name?: string }> }) => r.list().map((e) => `${e.id}=${e.name}`);
const snapshot = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'devices.json'), 'utf8'));
const journalLines = (dir: string) => fs.readFileSync(path.join(dir, 'devices.journal'), 'utf8').split('\n').filter(Boolean);

test('a change is one journal line, replayed at start; compaction writes the next generation and empties the journal', () => {
  const dir = tempDir('registry-journal');
  const warnings: string[] = [];
  const r = openRegistry(dir, 100, (l) => warnings.push(l), { minCompact: 4 });
  r.set('a', { name: 'A' });
  r.set('b', { name: 'B' });
  r.set('a', { name: 'A2' });
  assert.equal(fs.existsSync(path.join(dir, 'devices.json')), false, 'no snapshot rewrite for a change');
  assert.deepEqual(
    journalLines(dir).map((l) => Object.keys(JSON.parse(l))[0]),
    ['generation', 'set', 'set', 'set'],
  );
  assert.deepEqual(names(openRegistry(dir, 100, (l) => warnings.push(l), { minCompact: 4 })), ['a=A2', 'b=B'], 'replayed');

  r.delete('b'); // the 4th line: compaction
  assert.equal(r.store.counts.compactions, 1);
  assert.deepEqual([snapshot(dir).generation, snapshot(dir).devices.map((e: { id: string }) => e.id)], [1, ['a']]);
  assert.deepEqual(journalLines(dir), ['{"generation":1}']);
  r.set('c', { name: 'C' });
  assert.deepEqual(names(openRegistry(dir, 100, (l) => warnings.push(l))), ['a=A2', 'c=C']);
  assert.deepEqual(warnings, []);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a line cut by a crash is dropped (with a warning) and later changes append cleanly', () => {
  const dir = tempDir('registry-journal');
  const r = openRegistry(dir, 100, () => undefined);
  r.set('a', { name: 'A' });
  r.store.close();
  fs.appendFileSync(path.join(dir, 'devices.journal'), '{"set":{"id":"b","na'); // a write cut by kill -9
  const warnings: string[] = [];
  const again = openRegistry(dir, 100, (l) => warnings.push(l));
  assert.deepEqual(names(again), ['a=A']);
  assert.match(warnings.join('\n'), /bytes at the end of devices\.journal were a change cut short/);
  again.set('c', { name: 'C' });
  const j = readJournal(path.join(dir, 'devices.journal'));
  assert.equal(j.goodBytes, j.totalBytes, 'no torn bytes left in the middle');
  assert.deepEqual(names(openRegistry(dir, 100, () => undefined)), ['a=A', 'c=C']);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a crash after the new snapshot, before the journal is emptied: the old journal is not replayed over it', () => {
  const dir = tempDir('registry-journal');
  const r = openRegistry(dir, 100, () => undefined);
  r.set('a', { name: 'old' });
  r.store.close();
  const oldJournal = fs.readFileSync(path.join(dir, 'devices.journal'));
  // An import then wrote generation 1 with a=new, and the process died before emptying the journal.
  const r2 = openRegistry(dir, 100, () => undefined);
  r2.import([{ row: 1, value: { id: 'a', name: 'new' } }]);
  r2.store.close();
  assert.equal(snapshot(dir).generation, 1);
  fs.writeFileSync(path.join(dir, 'devices.journal'), oldJournal);
  const warnings: string[] = [];
  const after = openRegistry(dir, 100, (l) => warnings.push(l));
  assert.deepEqual(names(after), ['a=new'], 'the stale journal (generation 0) is ignored');
  assert.deepEqual(warnings, []);
  after.set('b', { name: 'B' });
  assert.deepEqual(JSON.parse(journalLines(dir)[0]), { generation: 1 }, 'the journal restarted at the snapshot generation');
  assert.deepEqual(names(openRegistry(dir, 100, () => undefined)), ['a=new', 'b=B']);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a snapshot written before the journal (no generation) loads, and its first change starts a journal', () => {
  const dir = tempDir('registry-journal');
  fs.writeFileSync(path.join(dir, 'devices.json'), JSON.stringify({ version: 1, devices: [{ id: 'x', name: 'X' }] }));
  const r = openRegistry(dir, 100, () => undefined);
  assert.deepEqual(names(r), ['x=X']);
  r.set('y', { name: 'Y' });
  assert.deepEqual(names(openRegistry(dir, 100, () => undefined)), ['x=X', 'y=Y']);
  fs.rmSync(dir, { recursive: true, force: true });
});
