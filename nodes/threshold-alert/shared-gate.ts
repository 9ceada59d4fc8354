/**
 * Scale-out glue between the local engine and the shared state (shared-alerts.ts):
 * transitions and actions go to Redis one batch at a time, in order; while
 * Redis is away they wait and are retried every second (readings never wait:
 * they are evaluated and passed on at once). What an instance wins it emits;
 * what another instance won it adopts. No node-red import.
 */
import { errorMessage, ValidationError } from '../common/errors';
import { isConnectionError } from '../common/redis-state';
import type { Transition } from './alert-record';
import type { ActionRequest, AlertEngine } from './engine';
import type { ClaimResult, SharedAlerts } from './shared-alerts';

const RETRY_MS = 1000;

export interface GateOptions {
  emit(transitions: Transition[]): void;
  warn(text: string): void;
  now?: () => number;
  /** Transitions waiting at most (while Redis is away); beyond, the oldest are dropped and counted. */
  maxWaiting?: number;
}

export class SharedGate {
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /** Transitions and actions not yet settled in Redis. */
  waiting = 0;
  /** Transitions dropped because too many waited (Redis away for long). */
  dropped = 0;
  private readonly now: () => number;
  private readonly maxWaiting: number;

  constructor(
    private readonly shared: SharedAlerts,
    private readonly engine: AlertEngine,
    private readonly opts: GateOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.maxWaiting = opts.maxWaiting ?? 100_000;
  }

  /** True while nothing is queued: a sync from Redis will not undo a claim in flight. */
  get idle(): boolean {
    return this.waiting === 0;
  }

  /** Claims the transitions; the won ones are emitted in order. */
  transitions(ts: Transition[]): void {
    if (!ts.length) return;
    if (this.waiting + ts.length > this.maxWaiting) {
      this.dropped += ts.length;
      this.opts.warn(`${ts.length} alert transitions dropped: ${this.waiting} wait for Redis`);
      return;
    }
    this.waiting += ts.length;
    const now = this.now();
    const results: Array<ClaimResult | undefined> = new Array(ts.length);
    void this.run(
      async () => {
        // Each claim is retried on its own: one that succeeded before the cut is not claimed twice.
        await Promise.all(
          ts.map(async (t, i) => {
            results[i] ??= await this.shared.claim(t, this.engine.rule(t.alert.ruleId), now);
          }),
        );
      },
      () => {
        this.waiting -= ts.length;
        const won: Transition[] = [];
        for (const r of results) {
          if (!r) continue;
          const a = r.transition.alert;
          if (r.won) won.push(r.transition);
          else {
            if (r.seenAt !== undefined) this.engine.seenElsewhere(a.deviceId, r.seenAt);
            this.engine.adopt(a.ruleId, a.deviceId, r.seenAt !== undefined ? undefined : r.shared);
          }
        }
        if (won.length) this.opts.emit(won);
      },
    );
  }

  /** Acknowledges or resolves across instances; resolves with the transition to announce (none if another instance did it). */
  act(req: ActionRequest): Promise<Transition | undefined> {
    this.waiting++;
    const now = this.now();
    let out: Transition | undefined;
    let failure: Error | undefined;
    return this.run(
      async () => {
        const res = await this.shared.act(req, now);
        const key = res.shared ?? res.transition?.alert;
        if (key) this.engine.adopt(key.ruleId, key.deviceId, res.shared && res.shared.state !== 'resolved' ? res.shared : undefined);
        if (res.error) failure = new ValidationError(res.error, req.alertId !== undefined ? 'alertId' : 'ruleId');
        out = res.transition;
      },
      () => {
        this.waiting--;
      },
    ).then(() => {
      if (failure) throw failure;
      return out;
    });
  }

  setArmed(armed: boolean): void {
    void this.run(
      () => this.shared.setArmed(armed),
      () => undefined,
    );
  }

  /** Takes the shared alerts and armed state (skipped while claims are queued). */
  async sync(): Promise<void> {
    if (!this.idle) return;
    const { alerts, armed } = await this.shared.fetch();
    if (!this.idle) return;
    this.engine.syncShared(alerts);
    if (armed !== undefined) this.engine.setArmed(armed);
  }

  /** Stops retrying: what still waits is left (Redis is away; the local file keeps this instance's view). */
  close(): void {
    this.closed = true;
  }

  /** Runs `job` after the previous ones, retrying while Redis is unreachable; `settle` runs once it is done (or given up). */
  private run(job: () => Promise<void>, settle: () => void): Promise<void> {
    const p = this.chain.then(async () => {
      for (let warned = false; ;) {
        try {
          await job();
          break;
        } catch (err) {
          if (this.closed) break;
          if (!isConnectionError(err)) {
            this.opts.warn(`shared alert state: ${errorMessage(err)}`);
            break;
          }
          if (!warned) this.opts.warn(`shared alert state: Redis unreachable (${errorMessage(err)}); alert transitions wait`);
          warned = true;
          await new Promise((r) => setTimeout(r, RETRY_MS));
        }
      }
      settle();
    });
    this.chain = p.catch(() => undefined);
    return p;
  }
}
