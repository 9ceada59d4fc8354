/** The notifier's folder helpers: one outbox per node, a safe folder name whatever the node id. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { folders } from '../../nodes/alert-notifier/notifier-types';

test('outbox: one folder per node under <data>/outbox, the id made safe for a file name', () => {
  assert.equal(folders.outbox('/data', 'a1b2.c3'), path.join('/data', 'outbox', 'a1b2.c3'));
  assert.equal(folders.outbox('/data', '../../etc/x y'), path.join('/data', 'outbox', '.._.._etc_x_y'));
  assert.equal(path.dirname(folders.outbox('/data', 'a/b\\c')), path.join('/data', 'outbox'), 'never leaves the outbox folder');
});

test('mail: the .eml folder beside the outboxes', () => {
  assert.equal(folders.mail('/data'), path.join('/data', 'outbox-mail'));
});
