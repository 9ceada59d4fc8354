/**
 * bcrypt comparison that never runs on the event loop: the native
 * `@node-rs/bcrypt` (libuv thread pool) when it loads, else a small pool of
 * worker threads running bcryptjs. At most `concurrency` comparisons run at
 * once (the libuv pool also serves file I/O), `maxQueued` wait; beyond that
 * `verify` rejects with BusyError.
 */
import path from 'path';
import { Worker } from 'worker_threads';

export class BusyError extends Error {
  override name = 'BusyError';
}

export interface PasswordVerifier {
  readonly kind: 'native' | 'worker';
  verify(password: string, hash: string): Promise<boolean>;
  close(): Promise<void>;
}

export interface VerifierOptions {
  /** `auto` takes the native binding when it loads. */
  backend: 'auto' | 'native' | 'worker';
  concurrency: number;
  maxQueued: number;
}

export const VERIFIER_DEFAULTS: VerifierOptions = { backend: 'auto', concurrency: 2, maxQueued: 64 };

type Compare = (password: string, hash: string) => Promise<boolean>;

function loadNative(): Compare | undefined {
  try {
    const native = require('@node-rs/bcrypt') as { verify: Compare };
    return typeof native.verify === 'function' ? native.verify : undefined;
  } catch {
    return undefined;
  }
}

/** A fixed set of bcryptjs worker threads, started on first use, unref'd so they never hold the process open. */
class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, { resolve(ok: boolean): void; reject(err: Error): void }>();
  private next = 0;
  private seq = 0;

  constructor(private readonly size: number) {}

  private worker(): Worker {
    if (this.workers.length < this.size) {
      const w = new Worker(path.join(__dirname, 'bcrypt-worker.js'));
      w.unref();
      w.on('message', (m: { id: number; ok: boolean }) => {
        this.pending.get(m.id)?.resolve(m.ok);
        this.pending.delete(m.id);
      });
      w.on('error', (err) => {
        for (const [id, p] of this.pending) {
          p.reject(err);
          this.pending.delete(id);
        }
        this.workers.splice(this.workers.indexOf(w), 1);
      });
      this.workers.push(w);
      return w;
    }
    this.next = (this.next + 1) % this.workers.length;
    return this.workers[this.next];
  }

  compare: Compare = (password, hash) =>
    new Promise((resolve, reject) => {
      const id = ++this.seq;
      this.pending.set(id, { resolve, reject });
      this.worker().postMessage({ id, password, hash });
    });

  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }
}

export function createVerifier(options: Partial<VerifierOptions> = {}): PasswordVerifier {
  const opts = { ...VERIFIER_DEFAULTS, ...options };
  const native = opts.backend === 'worker' ? undefined : loadNative();
  if (opts.backend === 'native' && !native) throw new Error('@node-rs/bcrypt is not installed');
  const pool = native ? undefined : new WorkerPool(opts.concurrency);
  const compare: Compare = native || pool!.compare;
  let running = 0;
  const queue: Array<() => void> = [];
  // A finishing check hands its slot straight to the next waiter.
  const release = (): void => {
    const next = queue.shift();
    if (next) next();
    else running--;
  };
  return {
    kind: native ? 'native' : 'worker',
    async verify(password, hash) {
      if (running >= opts.concurrency) {
        if (queue.length >= opts.maxQueued) throw new BusyError('too many password checks waiting');
        await new Promise<void>((resolve) => queue.push(resolve));
      } else {
        running++;
      }
      try {
        return await compare(password, hash).catch(() => false);
      } finally {
        release();
      }
    },
    close: async () => pool?.close(),
  };
}
