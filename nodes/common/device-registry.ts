/**
 * The device registry (docs/registry.md): per device id, a name, location,
 * type and owner that people give it, shown on the dashboard's tiles and
 * alerts and in notifications. Pure logic: validation, the bounded map and
 * imports with an answer per row (the lookup where names are shown is in
 * device-lookup.ts). The app keeps it in a file (app/registry-store.ts) and
 * puts it in global context as `iotRegistry`.
 */
import { ValidationError } from './errors';
import { hasControlChar } from './control-chars';
import type { DeviceInfo } from './device-lookup';

export { deviceInfo, deviceLabel } from './device-lookup';
export type { DeviceInfo } from './device-lookup';

export const REGISTRY_FIELDS = ['name', 'location', 'type', 'owner'] as const;
export type RegistryField = (typeof REGISTRY_FIELDS)[number];
/** Length limits, in characters. */
export const FIELD_MAX: Readonly<Record<RegistryField, number>> = { name: 100, location: 200, type: 64, owner: 100 };
/** As the normalizer: a device id is 1 to 128 characters without control characters. */
export const ID_MAX = 128;
export const REGISTRY_DEFAULTS = { maxDevices: 50_000 };

export interface DeviceEntry {
  id: string;
  name?: string;
  location?: string;
  type?: string;
  owner?: string;
  /** Epoch ms of the last change. */
  updatedAt?: number;
}

/** A change: a string sets the field, null (or '') clears it, absent leaves it. */
export type FieldChange = Partial<Record<RegistryField, string | null>>;

export interface Problem {
  field: string;
  message: string;
}

/** A device id as the normalizer accepts it; the message names `field`. */
export function checkId(v: unknown, field = 'id'): string {
  if (typeof v !== 'string')
    throw new ValidationError(`${field} must be a string (the device id), got ${v === undefined ? 'nothing' : JSON.stringify(v)}`, field);
  const id = v.trim();
  if (!id) throw new ValidationError(`${field} is required (the device id)`, field);
  if (id.length > ID_MAX) throw new ValidationError(`${field} is longer than ${ID_MAX} characters`, field);
  if (hasControlChar(id, true)) throw new ValidationError(`${field} holds control characters`, field);
  return id;
}

/**
 * Checks the registry fields of `obj` (other keys than `id` and `updatedAt`
 * are problems); returns the change and every problem found, each naming its field.
 */
export function checkFields(obj: Record<string, unknown>): { change: FieldChange; problems: Problem[] } {
  const change: FieldChange = {};
  const problems: Problem[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'id' || k === 'updatedAt') continue;
    if (!(REGISTRY_FIELDS as readonly string[]).includes(k)) {
      problems.push({ field: k, message: `${k} is not a registry field (${['id', ...REGISTRY_FIELDS].join(', ')})` });
      continue;
    }
    const f = k as RegistryField;
    if (v === undefined) continue;
    if (v === null) {
      change[f] = null;
      continue;
    }
    if (typeof v !== 'string') {
      problems.push({ field: f, message: `${f} must be text, got ${JSON.stringify(v)}` });
      continue;
    }
    const t = v.trim();
    if (t.length > FIELD_MAX[f]) problems.push({ field: f, message: `${f} is longer than ${FIELD_MAX[f]} characters` });
    else if (hasControlChar(t, true)) problems.push({ field: f, message: `${f} holds control characters (line breaks, tabs)` });
    else change[f] = t === '' ? null : t;
  }
  return { change, problems };
}

/** One row of an import: its position for the answer, and the object read from it. */
export interface ImportRow {
  /** 1-based position among the data rows. */
  row: number;
  /** CSV: the line of the file it starts on. */
  line?: number;
  value: unknown;
}

export interface RowError {
  row: number;
  line?: number;
  id?: string;
  field: string;
  error: string;
}

export interface ImportResult {
  rows: number;
  added: number;
  updated: number;
  unchanged: number;
  errors: RowError[];
}

const MAX_ROW_ERRORS = 1000;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function apply(old: DeviceEntry | undefined, id: string, change: FieldChange, replace: boolean, now: number): DeviceEntry {
  const next: DeviceEntry = { id };
  for (const f of REGISTRY_FIELDS) {
    const v = f in change ? change[f] : replace ? undefined : old?.[f];
    if (v) next[f] = v;
  }
  next.updatedAt = now;
  return next;
}

const same = (a: DeviceEntry | undefined, b: DeviceEntry): boolean => !!a && REGISTRY_FIELDS.every((f) => (a[f] || '') === (b[f] || ''));

/** Blank entries (no field set) are not kept: a device with nothing registered is just its id. */
const blank = (e: DeviceEntry): boolean => REGISTRY_FIELDS.every((f) => !e[f]);

/**
 * Where the registry is kept. `change` saves one device's new entry (undefined:
 * removed) and may read every entry through `all` (to compact); `replace` saves
 * the whole registry (an import), with the ids it added, changed or removed.
 * Either throws when it could not save: the change is then undone. A plain
 * function gets every entry after each change.
 */
export interface RegistryStore {
  change(id: string, entry: DeviceEntry | undefined, all: () => DeviceEntry[]): void;
  replace(entries: DeviceEntry[], changed?: string[]): void;
}
type Persist = RegistryStore | ((entries: DeviceEntry[]) => void);

export class DeviceRegistry {
  private map = new Map<string, DeviceEntry>();
  /** Goes up with every change: the dashboard resends tiles and alerts when it moved. */
  version = 0;
  readonly maxDevices: number;

  /**
   * `persist` saves each change before it is visible; when it throws, nothing
   * changes (the file store's journal, app/registry-store.ts).
   */
  constructor(
    opts: Partial<typeof REGISTRY_DEFAULTS> = {},
    private readonly persist: Persist = () => undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.maxDevices = opts.maxDevices ?? REGISTRY_DEFAULTS.maxDevices;
  }

  get size(): number {
    return this.map.size;
  }

  /** The registered fields of a device ('' where unset), or undefined. A copy. */
  get(id: string): DeviceInfo | undefined {
    const e = this.map.get(id);
    return e ? { id: e.id, name: e.name || '', location: e.location || '', type: e.type || '', owner: e.owner || '' } : undefined;
  }

  entry(id: string): DeviceEntry | undefined {
    const e = this.map.get(id);
    return e ? { ...e } : undefined;
  }

  /** Every entry, by id. */
  list(): DeviceEntry[] {
    return [...this.map.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((e) => ({ ...e }));
  }

  /**
   * Loads saved entries (the file at start): invalid ones and those past the
   * bound are skipped and returned as problems. Not persisted again.
   */
  load(entries: unknown[]): Problem[] {
    const problems: Problem[] = [];
    const map = new Map<string, DeviceEntry>();
    entries.forEach((raw, i) => {
      try {
        if (!isObj(raw)) throw new ValidationError('not an object', `devices[${i}]`);
        const id = checkId(raw.id, `devices[${i}].id`);
        const { change, problems: p } = checkFields(raw);
        if (p.length) throw new ValidationError(p.map((x) => x.message).join('; '), `devices[${i}].${p[0].field}`);
        if (map.size >= this.maxDevices && !map.has(id))
          throw new ValidationError(`past the bound of ${this.maxDevices} devices (REGISTRY_MAX_DEVICES)`, `devices[${i}]`);
        const e = apply(undefined, id, change, true, typeof raw.updatedAt === 'number' ? raw.updatedAt : 0);
        if (!blank(e)) map.set(id, e);
      } catch (err) {
        problems.push({ field: (err as ValidationError).field || `devices[${i}]`, message: (err as Error).message });
      }
    });
    this.map = map;
    this.version++;
    return problems;
  }

  /**
   * Sets a device's fields: with `replace` the change is the whole entry
   * (fields not in it are cleared), else only the fields in it change.
   * Throws ValidationError naming the field.
   */
  set(idValue: unknown, fields: Record<string, unknown>, replace = true): { result: 'added' | 'updated' | 'unchanged' | 'removed'; entry?: DeviceEntry } {
    const id = checkId(idValue);
    const { change, problems } = checkFields(fields);
    if (problems.length) throw new ValidationError(problems.map((p) => p.message).join('; '), problems[0].field);
    const old = this.map.get(id);
    const next = apply(old, id, change, replace, this.now());
    if (blank(next)) {
      if (!old) return { result: 'unchanged' };
      this.delete(id);
      return { result: 'removed' };
    }
    if (same(old, next)) return { result: 'unchanged', entry: { ...old! } };
    if (!old && this.map.size >= this.maxDevices) throw new ValidationError(`the registry is full (${this.maxDevices} devices, REGISTRY_MAX_DEVICES)`, 'id');
    this.change(id, next);
    return { result: old ? 'updated' : 'added', entry: { ...next } };
  }

  delete(id: string): boolean {
    if (!this.map.has(id)) return false;
    this.change(id, undefined);
    return true;
  }

  /** One device changed in place (no copy of a large map), undone when the save fails. */
  private change(id: string, next: DeviceEntry | undefined): void {
    const old = this.map.get(id);
    if (next) this.map.set(id, next);
    else this.map.delete(id);
    try {
      if (typeof this.persist === 'function') this.persist([...this.map.values()]);
      else this.persist.change(id, next ? { ...next } : undefined, () => [...this.map.values()]);
    } catch (err) {
      if (old) this.map.set(id, old);
      else this.map.delete(id);
      throw err;
    }
    this.version++;
  }

  /**
   * Imports rows: each adds a device or changes the fields it carries (a
   * field it does not carry keeps its value; an empty one is cleared). A bad
   * row is reported and skipped; the others go in, saved once.
   */
  import(rows: ImportRow[]): ImportResult {
    const out: ImportResult = { rows: rows.length, added: 0, updated: 0, unchanged: 0, errors: [] };
    const map = new Map(this.map);
    const seen = new Map<string, number>();
    const now = this.now();
    const fail = (r: ImportRow, field: string, error: string, id?: string): void => {
      if (out.errors.length < MAX_ROW_ERRORS)
        out.errors.push({ row: r.row, ...(r.line !== undefined ? { line: r.line } : {}), ...(id !== undefined ? { id } : {}), field, error });
    };
    let failed = 0;
    const changed: string[] = [];
    for (const r of rows) {
      if (!isObj(r.value)) {
        failed++;
        fail(r, 'row', `a row must be an object with id and fields, got ${JSON.stringify(r.value)?.slice(0, 60)}`);
        continue;
      }
      let id: string;
      try {
        id = checkId(r.value.id);
      } catch (err) {
        failed++;
        fail(r, 'id', (err as Error).message);
        continue;
      }
      const { change, problems } = checkFields(r.value);
      if (problems.length) {
        failed++;
        for (const p of problems) fail(r, p.field, p.message, id);
        continue;
      }
      const dup = seen.get(id);
      if (dup !== undefined) {
        failed++;
        fail(r, 'id', `${id} is already in row ${dup} of this import`, id);
        continue;
      }
      seen.set(id, r.row);
      const old = map.get(id);
      const next = apply(old, id, change, false, now);
      if (blank(next)) {
        if (old) {
          map.delete(id);
          changed.push(id);
          out.updated++;
        } else out.unchanged++;
        continue;
      }
      if (same(old, next)) {
        out.unchanged++;
        continue;
      }
      if (!old && map.size >= this.maxDevices) {
        failed++;
        fail(r, 'id', `the registry is full (${this.maxDevices} devices, REGISTRY_MAX_DEVICES)`, id);
        continue;
      }
      map.set(id, next);
      changed.push(id);
      if (old) out.updated++;
      else out.added++;
    }
    if (failed > out.errors.length) out.errors.push({ row: 0, field: 'rows', error: `${failed} rows failed; the first ${MAX_ROW_ERRORS} problems are listed` });
    if (out.added || out.updated) this.commit(map, changed);
    return out;
  }

  private commit(map: Map<string, DeviceEntry>, changed: string[]): void {
    if (typeof this.persist === 'function') this.persist([...map.values()]);
    else this.persist.replace([...map.values()], changed);
    this.map = map;
    this.version++;
  }
}
