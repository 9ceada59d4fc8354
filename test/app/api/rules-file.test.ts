import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadOverride, rememberOverride } from '../../../app/api/rules-file';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'rules-file-'));

test('rules override: read from the state file only while the dialog hash is unchanged', () => {
  const dir = tmp();
  try {
    assert.equal(loadOverride(dir, 'n1', 'h1'), undefined, 'no file: the dialog rules apply');
    fs.mkdirSync(path.join(dir, 'alerts'));
    const rules = [{ metric: 'temperature', op: '>', value: 30 }];
    fs.writeFileSync(path.join(dir, 'alerts', 'n1.json'), JSON.stringify({ override: { configHash: 'h1', rules } }));
    assert.deepEqual(loadOverride(dir, 'n1', 'h1'), rules);
    assert.equal(loadOverride(dir, 'n1', 'h2'), undefined, 'the dialog changed since');
    fs.writeFileSync(path.join(dir, 'alerts', 'n1.json'), '{not json');
    assert.equal(loadOverride(dir, 'n1', 'h1'), undefined, 'an unreadable file is no override');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('rules override: a remembered override wins over the file until it is saved', () => {
  const dir = tmp();
  try {
    rememberOverride('n2', 'h1', [{ id: 'fresh' }]);
    assert.deepEqual(loadOverride(dir, 'n2', 'h1'), [{ id: 'fresh' }]);
    assert.equal(loadOverride(dir, 'n2', 'other'), undefined, 'remembered for another dialog hash');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
