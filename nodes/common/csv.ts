/**
 * CSV as RFC 4180 writes it: fields separated by commas, records by CRLF or
 * LF, a field in double quotes may hold commas, line breaks and doubled
 * quotes (""). No CSV library is in the dependency tree and the registry
 * import needs only this much, so it is written here and tested directly
 * (test/common/csv.test.ts). Also read: a UTF-8 byte order mark (spreadsheets
 * write one), a last record without a line break, and `;` as the separator
 * when the header row has no comma but has semicolons (spreadsheets in
 * locales where the comma is the decimal mark export that way).
 */

export class CsvError extends Error {
  override name = 'CsvError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

export interface CsvRecord {
  /** The fields of the record, unquoted. */
  fields: string[];
  /** 1-based line of the file where the record starts. */
  line: number;
}

/** Splits CSV text into records; throws CsvError on a quote that is not closed or stray text after a closing quote. */
export function parseCsv(text: string, opts: { maxRecords?: number } = {}): CsvRecord[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const sep = !firstLine.includes(',') && firstLine.includes(';') ? ';' : ',';
  const max = opts.maxRecords ?? Infinity;
  const out: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let i = 0;
  let atFieldStart = true;
  const endRecord = (): void => {
    fields.push(field);
    // A blank line is no record (RFC 4180 has none; files often end with one).
    if (!(fields.length === 1 && fields[0] === '')) {
      if (out.length >= max) throw new CsvError(`more than ${max} records`, start);
      out.push({ fields, line: start });
    }
    fields = [];
    field = '';
    atFieldStart = true;
  };
  while (i < text.length) {
    const c = text[i];
    if (atFieldStart && c === '"') {
      // Quoted field: up to the closing quote; "" is one quote.
      const open = line;
      i++;
      for (;;) {
        const close = text.indexOf('"', i);
        if (close < 0) throw new CsvError('a quoted field is not closed', open);
        const chunk = text.slice(i, close);
        for (let n = chunk.indexOf('\n'); n >= 0; n = chunk.indexOf('\n', n + 1)) line++;
        field += chunk;
        if (text[close + 1] === '"') {
          field += '"';
          i = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      const next = text[i];
      if (next !== undefined && next !== sep && next !== '\n' && next !== '\r')
        throw new CsvError(`text after a closing quote (${JSON.stringify(text.slice(i, i + 10))})`, line);
      atFieldStart = false;
      continue;
    }
    atFieldStart = false;
    if (c === sep) {
      fields.push(field);
      field = '';
      atFieldStart = true;
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      endRecord();
      i += 2;
      start = ++line;
    } else if (c === '\n' || c === '\r') {
      endRecord();
      i++;
      start = ++line;
    } else {
      // Unquoted text up to the next separator or line break, in one slice.
      let j = i + 1;
      while (j < text.length) {
        const d = text[j];
        if (d === sep || d === '\n' || d === '\r') break;
        j++;
      }
      field += text.slice(i, j);
      i = j;
    }
  }
  if (field !== '' || fields.length) endRecord();
  return out;
}

const FORMULA = /^[=+\-@\t\r]/;

/**
 * One CSV field: quoted when it holds a separator, a quote, a line break or
 * edge spaces. A value starting with = + - @ would run as a formula in a
 * spreadsheet (CSV injection): it gets a ' in front, which unguard() removes
 * again on import, so an export imports back unchanged.
 */
export function csvField(v: string): string {
  const safe = FORMULA.test(v) ? `'${v}` : v;
  return /[",\r\n;]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** CSV text of rows (the first is usually the header), CRLF-separated as RFC 4180 says, with a final CRLF. */
export function toCsv(rows: string[][]): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Undoes csvField's formula guard: `'=x` reads back as `=x`. */
export function unguard(v: string): string {
  return v.startsWith("'") && FORMULA.test(v.slice(1)) ? v.slice(1) : v;
}
