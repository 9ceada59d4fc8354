/**
 * Scale-out: the device registry shared through Redis (docs/scale-out.md).
 * Each change saved locally (the journal first: an API 200 keeps its local
 * guarantee) is queued here and written about 20 ms later (one Lua call per
 * 1,000 devices); once a second each instance reads what the others changed
 * since its last read and applies it to its registry (which bumps its version,
 * so dashboards resend tiles) without queueing it again.
 *
 * Keys (prefix `iot:`), bounded by REGISTRY_MAX_DEVICES (`max`):
 * - `registry`        hash id -> entry JSON (a new id past `max` is refused)
 * - `registry:seq`    change counter; missing: an empty (or lost) Redis, seeded by
 *                     the first instance that sees it, under a new `registry:epoch`
 * - `registry:log`    zset id by the seq of its last change (deletions too), at most
 *                     2 × `max`: the oldest are cut, `registry:floor` says where, and a
 *                     reader behind it (or of another epoch) reads the whole hash
 * Redis away: local changes go on and stay queued until it answers.
 * No node-red import.
 */
import type Redis from 'ioredis';
import type { DeviceEntry, DeviceRegistry, RegistryStore } from './device-registry';
import { REGISTRY_FIELDS } from './device-registry';
import { READ, WRITE } from './registry-share-lua';

/** Devices per Lua call (Lua's unpack() and one reply stay small). */
const CHUNK = 1000;
/** Up to this many remote changes are applied one by one (a journal line each); more as one import. */
const ONE_BY_ONE = 20;

type Sharing = Redis & {
  iotRegistryWrite(...args: Array<string | number>): Promise<number[]>;
  iotRegistryRead(...args: Array<string | number>): Promise<string[]>;
};

export interface RegistryShareOptions {
  /** REGISTRY_MAX_DEVICES: devices in the Redis hash. */
  maxDevices: number;
  /** Exchange period, ms (default 1000). */
  intervalMs?: number;
  /** A local change is written this many ms after it (default 20); 0: at the next period only. */
  writeDelayMs?: number;
  onError?(err: Error): void;
}

export class RegistryShare {
  private readonly redis: Sharing;
  private readonly keys: string[];
  /** Changed here and not yet written: id -> entry JSON ('' removed). */
  private outgoing = new Map<string, string>();
  private registry?: DeviceRegistry;
  private seen = 0;
  /** The registry's epoch in Redis (set by the instance that seeded it) this one follows. */
  private epoch = '';
  private inStep = false;
  private pushAll = false;
  private kick?: NodeJS.Timeout;
  private applying = false;
  private busy = false;
  private timer?: NodeJS.Timeout;
  /**
   * Exchanges that failed; changes refused by the bound (here or in Redis); times the queue
   * overflowed (2 × max changes kept: the whole registry written instead); remote changes applied.
   */
  readonly counts = { failures: 0, refused: 0, overflows: 0, applied: 0 };

  constructor(
    redis: Redis,
    prefix: string,
    private readonly opts: RegistryShareOptions,
  ) {
    redis.defineCommand('iotRegistryWrite', { numberOfKeys: 5, lua: WRITE });
    redis.defineCommand('iotRegistryRead', { numberOfKeys: 5, lua: READ });
    this.redis = redis as Sharing;
    this.keys = ['', ':seq', ':log', ':floor', ':epoch'].map((k) => `${prefix}registry${k}`);
  }

  /** The registry's store: `local` saves each change first, then it is queued for Redis. */
  wrap(local: RegistryStore): RegistryStore {
    return {
      change: (id, entry, all) => {
        local.change(id, entry, all);
        if (!this.applying) this.queue(id, entry);
      },
      replace: (entries, changed) => {
        local.replace(entries, changed);
        if (this.applying) return;
        const byId = new Map(entries.map((e) => [e.id, e]));
        for (const id of changed ?? byId.keys()) this.queue(id, byId.get(id));
      },
    };
  }

  /** True once this instance seeded or adopted Redis's registry (and until Redis loses it). */
  get synced(): boolean {
    return this.inStep;
  }

  /** Starts the exchanges for the registry built on wrap()'s store. */
  attach(registry: DeviceRegistry): void {
    this.registry = registry;
    this.timer = setInterval(() => void this.exchange(), this.opts.intervalMs ?? 1000);
    this.timer.unref();
  }

  private queue(id: string, entry: DeviceEntry | undefined): void {
    if (this.pushAll) return;
    if (!this.outgoing.has(id) && this.outgoing.size >= 2 * this.opts.maxDevices) {
      // Too many changes kept (Redis away long): the whole registry is written instead.
      this.counts.overflows++;
      this.pushAll = true;
      this.outgoing = new Map();
      return;
    }
    this.outgoing.delete(id); // re-inserted last: written in the order of the changes
    this.outgoing.set(id, entry ? JSON.stringify(entry) : '');
    // Written at once (not at the next period): the others see it at their next read.
    const delay = this.opts.writeDelayMs ?? 20;
    if (delay > 0)
      this.kick ??= setTimeout(() => {
        this.kick = undefined;
        void this.exchange();
      }, delay);
  }

  /** One write of what was queued and one read of what changed; while Redis is away, retried next time. */
  async exchange(): Promise<void> {
    if (this.busy || !this.registry) return;
    this.busy = true;
    try {
      if (!this.inStep) await this.sync();
      if (this.pushAll) await this.queueAll();
      if ((await this.write(this.outgoing, '0')) === 'lost') {
        // Redis lost the registry (restarted without persistence, flushed): seed it again.
        this.inStep = false;
        await this.sync();
        await this.write(this.outgoing, '0');
      }
      await this.read();
    } catch (err) {
      this.counts.failures++;
      this.opts.onError?.(err as Error);
    } finally {
      this.busy = false;
    }
  }

  /** Every local entry, and a removal of every id Redis has and this registry not. */
  private async queueAll(): Promise<void> {
    const ids = await this.redis.hkeys(this.keys[0]);
    const all = new Map(this.registry!.list().map((e) => [e.id, JSON.stringify(e)]));
    for (const id of ids) if (!all.has(id)) all.set(id, '');
    this.pushAll = false;
    this.restore(all);
  }

  /** Empty (or lost) Redis: seeded from here (a new epoch); else adopted. */
  private async sync(): Promise<void> {
    const all = this.registry!.list();
    const pending = this.outgoing;
    this.outgoing = new Map();
    const epoch = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    let res: string;
    try {
      this.seen = 0;
      res = await this.write(new Map(all.map((e) => [e.id, JSON.stringify(e)])), '1', epoch);
    } catch (err) {
      this.restore(pending);
      throw err;
    }
    if (res === 'ok') this.epoch = epoch;
    else {
      this.restore(pending);
      await this.adopt();
    }
    this.inStep = true;
  }

  private restore(batch: Map<string, string>): void {
    for (const [id, v] of batch) if (!this.outgoing.has(id)) this.outgoing.set(id, v);
  }

  /**
   * Writes `batch` (what was written leaves outgoing when it is the queue). Mode '1' seeds an
   * empty Redis ('taken': it has a registry), '0' changes one ('lost': it has none).
   */
  private async write(batch: Map<string, string>, mode: '0' | '1', epoch = ''): Promise<'ok' | 'taken' | 'lost'> {
    const all = [...batch];
    for (let i = 0; i < all.length || (mode === '1' && i === 0); i += CHUNK) {
      const part = all.slice(i, i + CHUNK);
      const args: string[] = [];
      for (const [id, v] of part) args.push(id, v);
      const [before, after, refused] = await this.redis.iotRegistryWrite(...this.keys, this.opts.maxDevices, i === 0 ? mode : '0', epoch, ...args);
      if (before === -1) return 'taken';
      if (before === -2) return 'lost';
      // Nobody wrote in between: what was just written need not be read back.
      if (before === this.seen) this.seen = after;
      this.counts.refused += refused;
      if (batch === this.outgoing) for (const [id, v] of part) if (this.outgoing.get(id) === v) this.outgoing.delete(id);
    }
    return 'ok';
  }

  private async read(): Promise<void> {
    for (;;) {
      const reply = await this.redis.iotRegistryRead(...this.keys, this.seen, CHUNK, this.epoch);
      if (Number(reply[0]) < 0) {
        this.inStep = false; // seeded again at the next exchange
        return;
      }
      // Another instance seeded a new registry, or this one fell behind the log: read it whole.
      if (reply[2] !== this.epoch || Number(reply[1]) > this.seen) return this.adopt();
      const changes: Array<[string, string]> = [];
      for (let i = 3; i < reply.length; i += 3) {
        changes.push([reply[i], reply[i + 2]]);
        this.seen = Math.max(this.seen, Number(reply[i + 1]));
      }
      this.apply(changes);
      if (changes.length < CHUNK) return;
    }
  }

  /** Takes Redis's whole registry: what is not there is removed here (except changes still to write). */
  private async adopt(): Promise<void> {
    const res = await this.redis.multi().get(this.keys[1]).get(this.keys[4]).hgetall(this.keys[0]).exec();
    const failed = res!.find(([err]) => err);
    if (failed) throw failed[0];
    const hash = res![2][1] as Record<string, string>;
    const changes: Array<[string, string]> = Object.entries(hash);
    for (const e of this.registry!.list()) if (!(e.id in hash)) changes.push([e.id, '']);
    this.apply(changes);
    this.seen = Number(res![0][1]) || 0;
    this.epoch = String(res![1][1] ?? '');
  }

  /** Remote changes into the local registry, saved in its journal, not queued again. */
  private apply(changes: Array<[string, string]>): void {
    const reg = this.registry!;
    const rows = [];
    for (const [id, v] of changes) {
      if (this.outgoing.has(id)) continue; // a newer change made here is still to be written
      let e: Record<string, unknown> = {};
      try {
        if (v) e = JSON.parse(v);
      } catch {
        continue;
      }
      const fields: Record<string, string | null> = {};
      for (const f of REGISTRY_FIELDS) fields[f] = typeof e[f] === 'string' ? (e[f] as string) : null;
      rows.push({ id, fields });
    }
    this.applying = true;
    try {
      if (rows.length <= ONE_BY_ONE) {
        for (const r of rows) {
          try {
            if (reg.set(r.id, r.fields, true).result !== 'unchanged') this.counts.applied++;
          } catch {
            this.counts.refused++;
          }
        }
      } else {
        const out = reg.import(rows.map((r, i) => ({ row: i + 1, value: { id: r.id, ...r.fields } })));
        this.counts.applied += out.added + out.updated;
        this.counts.refused += out.errors.length;
      }
    } finally {
      this.applying = false;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.kick) clearTimeout(this.kick);
  }
}
