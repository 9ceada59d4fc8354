/**
 * `${VAR}` leftovers in node settings. Node-RED 4.1 replaces a property whose
 * whole value is `${VAR}` with the environment variable when the flow starts,
 * but leaves the literal `${VAR}` in place when the variable is unset. Two
 * readings of such a leftover exist, under two names:
 * - {@link lookupEnvRef}: look the variable up once more (a test or a caller
 *   may pass its own environment); unset means empty.
 * - {@link blankEnvRef}: the leftover simply means "not set", i.e. empty.
 */

/** A lookup of one variable; `process.env` works through {@link envLookup}. */
export type EnvLookup = (name: string) => string | undefined;

/** An environment object or a lookup function. */
export type EnvSource = NodeJS.ProcessEnv | EnvLookup;

const WHOLE_REF = /^\$\{(\w+)\}$/;

/** A lookup function over an environment object or function. */
export function envLookup(env: EnvSource = process.env): EnvLookup {
  return typeof env === 'function' ? env : (name) => env[name];
}

/** The variable name when the whole (trimmed) value is `${NAME}`, else undefined. */
export function envRefName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return WHOLE_REF.exec(value.trim())?.[1];
}

/**
 * The value as trimmed text, with a whole-value `${VAR}` looked up in `env`
 * (trimmed; empty when unset). `undefined` and `null` give ''.
 */
export function lookupEnvRef(value: unknown, env: EnvSource = process.env): string {
  const text = value === undefined || value === null ? '' : String(value).trim();
  const name = envRefName(text);
  return name === undefined ? text : (envLookup(env)(name) ?? '').trim();
}

/** The value as trimmed text, with any whole-value `${...}` leftover treated as empty (not looked up). */
export function blankEnvRef(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = String(value).trim();
  return /^\$\{[^}]*\}$/.test(text) ? '' : text;
}
