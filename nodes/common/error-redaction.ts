/**
 * Errors reach Catch nodes through the one redaction path: a runtime
 * `onReceive` hook masks secrets (credentials in URLs, passwords, tokens, the
 * environment's secrets; nodes/common/redact.ts) in `msg.error` of every
 * message a Catch node receives, whichever node raised it (ours or core
 * ones such as http request and mqtt). Installed once per runtime: by the
 * package when its nodes load (so a stock Node-RED has it too) and by the app.
 */
import { redact } from './redact';

type Hooks = { add(name: string, fn: (ev: never) => unknown): void };
const installed = new WeakSet<object>();

/** Masks secrets in an error object as a Catch node gets it ({message, stack, cause, ...}). */
export function redactError(error: unknown): void {
  if (!error || typeof error !== 'object') return;
  const e = error as Record<string, unknown>;
  for (const key of ['message', 'stack']) if (typeof e[key] === 'string') e[key] = redact(e[key]);
  const cause = e.cause as Record<string, unknown> | undefined;
  if (cause && typeof cause === 'object' && typeof cause.message === 'string') {
    // The cause may be a shared Error object: a copy is redacted, not the original.
    e.cause = { ...cause, message: redact(cause.message), stack: typeof cause.stack === 'string' ? redact(cause.stack) : undefined };
  }
}

/** The runtime's hooks: the node API's, else @node-red/util's (the same object; node-red-node-test-helper leaves it out of the API). */
function runtimeHooks(given: Hooks | undefined): Hooks | undefined {
  if (given) return given;
  try {
    return (require('@node-red/util') as { hooks?: Hooks }).hooks;
  } catch {
    return undefined;
  }
}

export function installErrorRedaction(given: Hooks | undefined): void {
  const hooks = runtimeHooks(given);
  if (!hooks || typeof hooks.add !== 'function' || installed.has(hooks)) return;
  installed.add(hooks);
  hooks.add('onReceive.iot-redact-errors', ((ev: { msg: { error?: unknown }; destination: { node?: { type?: string } } }) => {
    if (ev.destination.node?.type === 'catch' && ev.msg?.error) redactError(ev.msg.error);
  }) as never);
}
