/**
 * What the API observes in the flows: alert transitions, readings, motion and
 * other device events, command status. One runtime `onSend` hook does it, and
 * only while somebody listens (an event-stream client, or a command sent
 * through the API that has not reached a final status): with neither, the
 * hook is not registered and the flows pay nothing per message.
 */
import type { Command } from '../../nodes/common/types';
import { confirms, type RelayExpectation } from './relay-commands';
import type { Runtime, SendEvent } from './runtime';

export type EventType = 'reading' | 'alert' | 'motion' | 'event' | 'command';
export type Listener = (type: EventType, data: unknown) => void;

const TYPES = new Set(['threshold-alert', 'payload-normalizer', 'servo-command', 'sensor-input', 'activity-classifier']);
/** Owner of the commands the API publishes itself (device-commands.ts), acknowledged over MQTT. */
export const API_OWNER = 'api-mqtt';
const RANK: Record<string, number> = { pending: 0, sent: 1, acknowledged: 2, executed: 3, failed: 3, expired: 3 };
const FINAL = new Set(['executed', 'failed', 'expired']);

export interface TapOptions {
  /** A device's readings go to listeners at most once per this many ms. */
  readingIntervalMs: number;
  /** Commands kept for GET /api/commands/{id} (oldest dropped first). */
  maxCommands: number;
  /** Device entries of the reading throttle, and event ids remembered to drop duplicates. */
  maxDevices: number;
}
export const TAP_DEFAULTS: TapOptions = { readingIntervalMs: 1000, maxCommands: 10_000, maxDevices: 100_000 };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export class FlowTap {
  private readonly listeners = new Set<Listener>();
  readonly commands = new Map<string, Command & { reason?: string }>();
  /** The node that sent each followed command: only its status messages move it (a device-mode node reports too). */
  private readonly owners = new Map<string, string>();
  private open = 0;
  private hooked = false;
  private readonly lastReading = new Map<string, number>();
  private readonly recentEvents = new Set<string>();
  /** Relay commands waiting for the device's state (relay-commands.ts), by device id. */
  private readonly expected = new Map<string, Array<RelayExpectation & { id: string }>>();
  private readonly name = `onSend.iot-api-tap-${process.pid}`;
  readonly opts: TapOptions;

  constructor(
    private readonly red: Pick<Runtime, 'hooks'>,
    options: Partial<TapOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.opts = { ...TAP_DEFAULTS, ...options };
  }

  get active(): boolean {
    return this.hooked;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    this.update();
    return () => {
      this.listeners.delete(fn);
      this.update();
    };
  }

  /** Follows a command sent through the API until it is final. */
  track(command: Command, nodeId: string): void {
    this.commands.delete(command.id);
    this.commands.set(command.id, { ...command });
    this.owners.set(command.id, nodeId);
    while (this.commands.size > this.opts.maxCommands) {
      const oldest = this.commands.keys().next().value as string;
      this.commands.delete(oldest);
      this.owners.delete(oldest);
    }
    this.recount();
  }

  /**
   * Follows a relay command the API published: executed once a Reading of the device
   * (the normalizer's, received after the command was created) shows the expected state.
   */
  expectState(command: Command, expect: RelayExpectation): void {
    this.track(command, API_OWNER);
    const list = this.expected.get(expect.deviceId) ?? [];
    list.push({ ...expect, id: command.id });
    this.expected.set(expect.deviceId, list);
  }

  /** Marks commands past their expiry as expired (called when one is read). */
  refresh(): void {
    this.recount();
  }

  /** A device's acknowledgement of a command the API published: moves it forward only (QoS 1 may repeat). */
  acknowledge(ack: { deviceId: string; id: string; status: Command['status']; reason?: string }): boolean {
    const known = this.commands.get(ack.id);
    if (!known || this.owners.get(ack.id) !== API_OWNER || known.deviceId !== ack.deviceId) return false;
    if (RANK[ack.status] <= RANK[known.status]) return false;
    known.status = ack.status;
    if (ack.reason !== undefined) known.reason = ack.reason;
    this.recount();
    this.emit('command', { ...known });
    return true;
  }

  private recount(): void {
    let open = 0;
    const now = this.now();
    for (const c of this.commands.values()) {
      if (FINAL.has(c.status)) continue;
      // The node expires it at expiresAt; past that (plus a margin) nothing more will come.
      // The API's own commands (config, relay) have no node: they expire at expiresAt.
      if (c.expiresAt + (this.owners.get(c.id) === API_OWNER ? 0 : 5000) < now) c.status = 'expired';
      else open++;
    }
    for (const [deviceId, list] of this.expected) {
      const left = list.filter((e) => !FINAL.has(this.commands.get(e.id)?.status ?? 'expired'));
      if (!left.length) this.expected.delete(deviceId);
      else if (left.length !== list.length) this.expected.set(deviceId, left);
    }
    this.open = open;
    this.update();
  }

  private update(): void {
    const want = this.listeners.size > 0 || this.open > 0;
    if (want === this.hooked) return;
    this.hooked = want;
    if (want) this.red.hooks.add(this.name, ((events: SendEvent[]) => this.onSend(events)) as never);
    else {
      this.red.hooks.remove(this.name);
      this.lastReading.clear();
      this.recentEvents.clear();
    }
  }

  /** The hook: cheap for every message not from one of our node types. */
  onSend(events: SendEvent[]): void {
    let prev: unknown;
    for (const ev of events) {
      const type = ev.source?.node?.type;
      if (type === undefined || !TYPES.has(type) || ev.msg === prev) continue;
      prev = ev.msg; // one message on several wires appears once per wire
      try {
        this.observe(type, ev.msg, ev.source?.id);
      } catch {
        // A listener's failure must never reach the flow.
      }
    }
  }

  private observe(type: string, msg: Obj, source: string | undefined): void {
    const p = msg.payload;
    if (type === 'threshold-alert') {
      if (typeof msg.topic === 'string' && msg.topic.startsWith('alert/') && isObj(p) && typeof msg.event === 'string') {
        this.emit('alert', { event: msg.event, alert: p, by: msg.by, reason: msg.reason });
      }
      return;
    }
    if (type === 'servo-command') {
      if (typeof msg.topic === 'string' && msg.topic.endsWith('/status') && isObj(p) && typeof p.id === 'string') this.command(p, msg.reason, source);
      return;
    }
    if (this.expected.size) {
      if (Array.isArray(p)) for (const r of p) this.confirm(r);
      else this.confirm(p);
    }
    if (!this.listeners.size) return;
    if (Array.isArray(p)) for (const r of p) this.reading(r);
    else this.reading(p);
  }

  /** A Reading that shows a relay's expected state executes its command. */
  private confirm(r: unknown): void {
    if (!isObj(r) || typeof r.deviceId !== 'string' || !isObj(r.metrics)) return;
    const list = this.expected.get(r.deviceId);
    if (!list) return;
    let done = false;
    for (const e of list) {
      const c = this.commands.get(e.id);
      if (!c || FINAL.has(c.status)) continue;
      // A reading received before the command (a batch still on its way) says nothing about it.
      if (typeof r.received === 'number' && r.received < c.createdAt) continue;
      if (!confirms(e, r.metrics)) continue;
      c.status = 'executed';
      done = true;
      this.emit('command', { ...c });
    }
    if (done) this.recount();
  }

  private command(p: Obj, reason: unknown, source: string | undefined): void {
    const known = this.commands.get(p.id as string);
    if (known && this.owners.get(p.id as string) === source) {
      Object.assign(known, p);
      if (typeof reason === 'string') known.reason = reason;
      if (FINAL.has(known.status)) this.recount();
    }
    this.emit('command', typeof reason === 'string' ? { ...p, reason } : p);
  }

  private reading(r: unknown): void {
    if (!isObj(r) || typeof r.deviceId !== 'string' || !isObj(r.metrics)) return;
    const ev = r.event;
    if (isObj(ev) && typeof ev.type === 'string') {
      // The normalizer sends an event reading on two outputs: the event id tells them apart.
      const key = typeof ev.id === 'string' ? ev.id : `${r.deviceId}/${String(r.ts)}/${ev.type}`;
      if (this.recentEvents.has(key)) return;
      this.recentEvents.add(key);
      if (this.recentEvents.size > 1000) this.recentEvents.delete(this.recentEvents.values().next().value as string);
      this.emit(ev.type === 'motion' ? 'motion' : 'event', r);
      return;
    }
    const now = this.now();
    const last = this.lastReading.get(r.deviceId);
    if (last !== undefined && now - last < this.opts.readingIntervalMs) return;
    if (last === undefined && this.lastReading.size >= this.opts.maxDevices) this.lastReading.clear();
    this.lastReading.set(r.deviceId, now);
    this.emit('reading', r);
  }

  private emit(type: EventType, data: unknown): void {
    for (const fn of this.listeners) fn(type, data);
  }

  close(): void {
    this.listeners.clear();
    this.commands.clear();
    this.expected.clear();
    this.open = 0;
    this.update();
  }
}
