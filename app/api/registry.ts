/**
 * The API's registry handlers (docs/registry.md): one device's entry (GET,
 * PUT replaces, PATCH changes the fields given, DELETE), import of a JSON
 * array or CSV with an answer per row, export as JSON or CSV. Every change is
 * recorded in the audit (action `registry`).
 */
import type { Response } from 'express';
import { parseCsv, toCsv, unguard, CsvError } from '../../nodes/common/csv';
import { DeviceRegistry, ImportResult, ImportRow, REGISTRY_FIELDS, DeviceEntry, RowError } from '../../nodes/common/device-registry';
import { ValidationError } from '../../nodes/common/errors';
import { HttpError } from './validate';
import { unavailable } from './runtime';
import type { ApiContext, ApiRequest } from './routes';

type Obj = Record<string, unknown>;
const COLUMNS = ['id', ...REGISTRY_FIELDS];

function registryOf(ctx: ApiContext): DeviceRegistry {
  if (!ctx.registry) throw unavailable('no device registry in this process (it is kept by the app, npm start)');
  return ctx.registry;
}

/** The registry's ValidationError as a 400 naming the field; a failed save as a 500 that says so. */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof HttpError) throw err;
    if (err instanceof ValidationError) throw new HttpError(400, err.message, err.field);
    throw new HttpError(500, `the registry could not be saved: ${(err as Error).message}`);
  }
}

function record(ctx: ApiContext, req: ApiRequest, target: string, detail: string): void {
  if (req.who) ctx.audit?.record({ ...req.who, action: 'registry', target, detail, outcome: 'accepted' });
}

const describe = (e: Obj): string =>
  REGISTRY_FIELDS.filter((f) => e[f] !== undefined)
    .map((f) => `${f}=${e[f] === null ? '' : String(e[f]).slice(0, 60)}`)
    .join(', ');

/**
 * CSV text -> rows: a header row names the columns (id required, others any
 * of name, location, type, owner). A row with more cells than the header has
 * columns is a row error (`bad`), not a silent cut.
 */
export function csvRows(text: string, maxRows: number): { rows: ImportRow[]; bad: RowError[] } {
  let records;
  try {
    records = parseCsv(text, { maxRecords: maxRows + 1 });
  } catch (err) {
    throw new HttpError(err instanceof CsvError && /more than/.test(err.message) ? 413 : 400, `CSV: ${(err as Error).message}`, 'body');
  }
  if (!records.length) throw new HttpError(400, 'CSV: empty; the first row names the columns (id,name,location,type,owner)', 'body');
  const header = records[0].fields.map((h) => h.trim().toLowerCase());
  const unknown = header.find((h) => !COLUMNS.includes(h));
  if (unknown !== undefined)
    throw new HttpError(400, `CSV: unknown column "${unknown.slice(0, 40)}" in the header row; columns are ${COLUMNS.join(', ')}`, 'body');
  if (!header.includes('id')) throw new HttpError(400, `CSV: the header row has no id column (columns are ${COLUMNS.join(', ')})`, 'body');
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup) throw new HttpError(400, `CSV: column ${dup} appears twice in the header row`, 'body');
  const rows: ImportRow[] = [];
  const bad: RowError[] = [];
  records.slice(1).forEach((r, i) => {
    if (r.fields.length > header.length) {
      bad.push({
        row: i + 1,
        line: r.line,
        field: 'row',
        error: `${r.fields.length} cells, but the header row has ${header.length} columns (a comma in a value needs "quotes")`,
      });
      return;
    }
    const value: Obj = {};
    header.forEach((h, j) => {
      const cell = r.fields[j];
      // A short row leaves its missing columns unchanged; an empty cell clears the field.
      if (cell !== undefined) value[h] = unguard(cell);
    });
    rows.push({ row: i + 1, line: r.line, value });
  });
  return { rows, bad };
}

function jsonRows(body: unknown): ImportRow[] {
  const list = Array.isArray(body)
    ? body
    : body && typeof body === 'object' && Array.isArray((body as Obj).devices)
      ? ((body as Obj).devices as unknown[])
      : undefined;
  if (!list)
    throw new HttpError(
      400,
      'body must be a JSON array of devices ([{"id":"cam-1","name":"Front door","location":"Entrance"}]), {"devices": [...]}, or CSV with Content-Type: text/csv',
      'body',
    );
  return list.map((value, i) => ({ row: i + 1, value }));
}

export const REGISTRY_HANDLERS = {
  getDeviceRegistry: (ctx: ApiContext, req: ApiRequest): DeviceEntry => {
    const id = req.params.id as string;
    const e = registryOf(ctx).entry(id);
    if (!e) throw new HttpError(404, `no registry entry for ${id}`, 'id');
    return e;
  },
  putDeviceRegistry: (ctx: ApiContext, req: ApiRequest): DeviceEntry => change(ctx, req, true),
  patchDeviceRegistry: (ctx: ApiContext, req: ApiRequest): DeviceEntry => change(ctx, req, false),
  deleteDeviceRegistry: (ctx: ApiContext, req: ApiRequest): Obj => {
    const id = req.params.id as string;
    if (!guarded(() => registryOf(ctx).delete(id))) throw new HttpError(404, `no registry entry for ${id}`, 'id');
    record(ctx, req, id, 'delete');
    return { id, deleted: true };
  },
  importRegistry: (ctx: ApiContext, req: ApiRequest): ImportResult => {
    const registry = registryOf(ctx);
    const csv = typeof req.body === 'string';
    const { rows, bad } = csv ? csvRows(req.body as string, registry.maxDevices) : { rows: jsonRows(req.body), bad: [] };
    const total = rows.length + bad.length;
    if (total > registry.maxDevices)
      throw new HttpError(413, `${total} rows: more than the registry holds (${registry.maxDevices}, REGISTRY_MAX_DEVICES)`, 'body');
    const result = guarded(() => registry.import(rows));
    if (bad.length) result.errors = [...result.errors, ...bad].sort((a, b) => a.row - b.row);
    result.rows = total;
    record(
      ctx,
      req,
      'import',
      `${csv ? 'CSV' : 'JSON'}: ${total} rows, ${result.added} added, ${result.updated} updated, ${result.unchanged} unchanged, ${result.errors.length} errors`,
    );
    return result;
  },
  exportRegistry: (ctx: ApiContext, req: ApiRequest, res: Response): unknown => {
    const list = registryOf(ctx).list();
    if (req.query.format !== 'csv') return list;
    const csv = toCsv([COLUMNS, ...list.map((e) => COLUMNS.map((c) => String((e as unknown as Obj)[c] ?? '')))]);
    res.type('text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="devices.csv"');
    res.send(csv);
    return undefined;
  },
};

function change(ctx: ApiContext, req: ApiRequest, replace: boolean): DeviceEntry {
  const id = req.params.id as string;
  const body = (req.body ?? {}) as Obj;
  if (body.id !== undefined && body.id !== id)
    throw new HttpError(400, `id in the body (${JSON.stringify(body.id).slice(0, 60)}) is not the device of the path (${id})`, 'id');
  const out = guarded(() => registryOf(ctx).set(id, body, replace));
  if (out.result !== 'unchanged') record(ctx, req, id, out.result === 'removed' ? 'cleared' : `${replace ? 'set' : 'change'} ${describe(body)}`);
  return out.entry || { id };
}
