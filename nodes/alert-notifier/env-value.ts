/**
 * Node-RED 4.1 replaces a property whose whole value is `${VAR}` with the
 * environment variable when the flow starts, but leaves the literal `${VAR}`
 * in place when the variable is unset. Such a leftover means "not set".
 */
const WHOLE_ENV = /^\$\{(\w+)\}$/;

/** The value, with an unresolved `${VAR}` looked up in `env` (empty when unset). */
export function envValue(v: unknown, env: NodeJS.ProcessEnv = process.env): string {
  const s = v === undefined || v === null ? '' : String(v).trim();
  const m = WHOLE_ENV.exec(s);
  return m ? (env[m[1]] ?? '').trim() : s;
}
