/**
 * The glue every node repeats, in one place (the role of Home Assistant's
 * shared controller and `inputErrorHandler`): a config that fails to parse
 * rejects every input with one clear error; health reported under the node's
 * id and cleared on close; a red status plus `done(err)` in one call; gauges
 * computed when metrics are scraped. A node's own file keeps only what is
 * particular to it.
 */
import type client from 'prom-client';
import { errorMessage } from './errors';
import { clearHealth, reportHealth } from './health';
import { addGaugeSource, type GaugeReading } from './metrics';
import type { DoneFn, NodeInstance } from './red';
import { status } from './status';

/** Any thrown value as an Error (what `done` and Catch nodes expect). */
export function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(errorMessage(err));
}

export interface ParseOptions {
  /** Status text for the error (default: its message). */
  statusText?: (message: string) => string;
  /** Also report unhealthy health under this kind, with this detail (default: the status text). */
  health?: { kind: string; detail?: (message: string) => string };
  /** Also log the error once with node.error (for nodes whose failure must reach the log). */
  log?: (message: string) => string;
}

export interface NodeKit {
  /**
   * The config from `parse()`, or undefined when it throws: then the node
   * shows a red ring and every input is rejected with that error (done(err)),
   * so a Catch node sees one clear reason for each message.
   */
  parse<C>(parse: () => C, opts?: ParseOptions): C | undefined;
  /** Red ring and every input rejected with `err` (for failures after parsing, e.g. a folder that cannot be opened). */
  rejectInputs(err: unknown, opts?: ParseOptions): void;
  /** Red ring with `text` (default: the error's message) and done(err), in one call. */
  fail(done: DoneFn, err: unknown, text?: string): void;
  /** Reports the node's health (shown by /health/ready and the System page). */
  health(ok: boolean, detail: string, figures?: Record<string, number>): void;
  /** Removes the node's health entry (also done on close). */
  clearHealth(): void;
  /** Makes `read` a source of a scraped gauge for the node's lifetime (removed on close). */
  gauge(gauge: client.Gauge<string>, read: () => GaugeReading): void;
}

/** The kit for one node of type `kind`; health and gauge sources are removed when the node closes. */
export function nodeKit(node: NodeInstance<object>, kind: string): NodeKit {
  const removers: Array<() => void> = [];
  let closeHooked = false;
  const onClose = (fn: () => void): void => {
    removers.push(fn);
    if (closeHooked) return;
    closeHooked = true;
    // No parameters: Node-RED calls it without waiting (one parameter would be `done`), beside the node's own close handler.
    node.on('close', (() => {
      for (const f of removers.splice(0)) f();
    }) as unknown as (removed: boolean, done: () => void) => void);
  };
  const kit: NodeKit = {
    parse(parse, opts) {
      try {
        return parse();
      } catch (err) {
        kit.rejectInputs(err, opts);
        return undefined;
      }
    },
    rejectInputs(err, opts = {}) {
      const e = toError(err);
      const text = opts.statusText ? opts.statusText(e.message) : e.message;
      node.status(status.failed(text));
      if (opts.log) node.error(opts.log(e.message));
      if (opts.health) reportHealth(node.id, { kind: opts.health.kind, ok: false, detail: opts.health.detail ? opts.health.detail(e.message) : text });
      node.on('input', (_msg, _send, done) => done(e));
    },
    fail(done, err, text) {
      const e = toError(err);
      node.status(status.failed(text ?? e.message));
      done(e);
    },
    health(ok, detail, figures) {
      reportHealth(node.id, { kind, ok, detail, figures });
    },
    clearHealth() {
      clearHealth(node.id);
    },
    gauge(gauge, read) {
      onClose(addGaugeSource(gauge, node.id, read));
    },
  };
  onClose(() => clearHealth(node.id));
  return kit;
}
