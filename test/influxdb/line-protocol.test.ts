import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { countLines, LineError, lineEncoder, readingToLine } from '../../nodes/influxdb/line-protocol';
import type { Reading } from '../../nodes/common/types';

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'line-protocol.json'), 'utf8'));

for (const c of fixture.lines) {
  test(`line protocol: ${c.name}`, () => {
    assert.equal(readingToLine(c.reading as Reading, c.options), c.line);
  });
}

for (const c of fixture.errors) {
  test(`line protocol rejects: ${c.name}`, () => {
    assert.throws(
      () => readingToLine(c.reading as Reading),
      (err: Error) => {
        assert.ok(err instanceof LineError);
        assert.equal(err.message, c.error);
        return true;
      },
    );
  });
}

test('countLines counts newline-separated lines', () => {
  assert.equal(countLines(''), 0);
  assert.equal(countLines('a'), 1);
  assert.equal(countLines('a\nb\nc'), 3);
});

test('one encoder (with its memos) gives the same lines as fresh ones, on repeat', () => {
  const plain = fixture.lines.filter((c: any) => !c.options);
  const encode = lineEncoder();
  for (let round = 0; round < 2; round++) {
    for (const c of plain) assert.equal(encode(c.reading as Reading), c.line, `${c.name} (round ${round})`);
  }
});
