/** hasControlChar: C0 controls always, DEL only when asked. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasControlChar } from '../../nodes/common/control-chars';

test('C0 control characters are found anywhere; DEL only with del', () => {
  const table: [string, boolean, boolean][] = [
    ['plain text', false, false],
    ['', false, false],
    ['nul\u0000', true, true],
    ['\ttab', true, true],
    ['line\nbreak', true, true],
    ['unit\u001fsep', true, true],
    ['del\u007f', false, true],
    ['space and ~ and é', false, false],
  ];
  for (const [s, plain, withDel] of table) {
    assert.equal(hasControlChar(s), plain, JSON.stringify(s));
    assert.equal(hasControlChar(s, true), withDel, `${JSON.stringify(s)} with del`);
  }
});
