/** The RFC 4180 reader and writer of nodes/common/csv.ts, table-driven. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvField, CsvError, parseCsv, toCsv, unguard } from '../../nodes/common/csv';

const fields = (text: string): string[][] => parseCsv(text).map((r) => r.fields);

const CASES: Array<{ name: string; text: string; expected: string[][] }> = [
  {
    name: 'plain, LF',
    text: 'id,name\na,b\n',
    expected: [
      ['id', 'name'],
      ['a', 'b'],
    ],
  },
  {
    name: 'CRLF and no final break',
    text: 'id,name\r\na,b',
    expected: [
      ['id', 'name'],
      ['a', 'b'],
    ],
  },
  {
    name: 'quoted comma, quote and line break',
    text: 'id,name\r\n"a,1","say ""hi""\r\nthere"\r\n',
    expected: [
      ['id', 'name'],
      ['a,1', 'say "hi"\r\nthere'],
    ],
  },
  {
    name: 'empty fields are kept',
    text: 'a,,c\n,,\n',
    expected: [
      ['a', '', 'c'],
      ['', '', ''],
    ],
  },
  { name: 'blank lines are no records', text: 'a\n\n\nb\n\n', expected: [['a'], ['b']] },
  {
    name: 'byte order mark',
    text: '\ufeffid,name\nx,y\n',
    expected: [
      ['id', 'name'],
      ['x', 'y'],
    ],
  },
  {
    name: 'semicolons when the header has no comma',
    text: 'id;name\nx;"a;b"\n',
    expected: [
      ['id', 'name'],
      ['x', 'a;b'],
    ],
  },
  {
    name: 'a comma header keeps semicolons as text',
    text: 'id,name\nx,a;b\n',
    expected: [
      ['id', 'name'],
      ['x', 'a;b'],
    ],
  },
  { name: 'spaces are part of a field', text: ' a , b \n', expected: [[' a ', ' b ']] },
  {
    name: 'unicode',
    text: 'id,name\ncam-3,Entrée nord ☃\n',
    expected: [
      ['id', 'name'],
      ['cam-3', 'Entrée nord ☃'],
    ],
  },
  {
    name: 'old Mac line breaks',
    text: 'a,b\rc,d\r',
    expected: [
      ['a', 'b'],
      ['c', 'd'],
    ],
  },
];

for (const c of CASES) {
  test(`parseCsv: ${c.name}`, () => {
    assert.deepEqual(fields(c.text), c.expected);
  });
}

test('parseCsv gives the line each record starts on (a quoted line break counts)', () => {
  const recs = parseCsv('id,name\n"a","two\nlines"\nb,c\n');
  assert.deepEqual(
    recs.map((r) => r.line),
    [1, 2, 4],
  );
});

test('parseCsv names the line of a quote that is not closed, or of text after a closing quote', () => {
  assert.throws(
    () => parseCsv('id\n"abc\n'),
    (err: Error) => err instanceof CsvError && err.message === 'line 2: a quoted field is not closed',
  );
  assert.throws(() => parseCsv('id,name\n"a"b,c\n'), /line 2: text after a closing quote/);
});

test('parseCsv stops at maxRecords', () => {
  assert.throws(() => parseCsv('a\nb\nc\n', { maxRecords: 2 }), /line 3: more than 2 records/);
  assert.equal(parseCsv('a\nb\n', { maxRecords: 2 }).length, 2);
});

test('toCsv quotes what needs it, guards formulas, and reads back unchanged', () => {
  const rows = [
    ['id', 'name', 'location'],
    ['cam,1', 'He said "go"', 'line\nbreak'],
    ['=cmd()', '-3', ' edge '],
    ['plain', '', 'a;b'],
  ];
  const text = toCsv(rows);
  assert.equal(text.split('\r\n')[0], 'id,name,location');
  assert.match(text, /"'=cmd\(\)"|'=cmd\(\)/, 'a formula gets a quote in front');
  assert.ok(text.endsWith('\r\n'));
  const back = fields(text).map((r) => r.map(unguard));
  assert.deepEqual(back, rows);
  assert.equal(csvField('ok'), 'ok');
  assert.equal(csvField('@x'), "'@x");
  assert.equal(unguard("'abc"), "'abc", 'a quote before ordinary text is kept');
});
