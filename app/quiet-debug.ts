/**
 * With DEBUG unset, the loggers the `debug` package (v4) makes are no-ops.
 *
 * mqtt-packet's parser calls its logger about ten times per MQTT packet. A
 * disabled logger returns at once, but each call first gathers its arguments
 * into an array: 5 % of everything the app allocated at 25,000 readings/s.
 * Loaded first by `npm start` (app/start.ts), before anything requires mqtt.
 * DEBUG set at start (`DEBUG=mqttjs*,mqtt-packet*`) keeps the package as it is,
 * so its output stays one environment variable away. Node-RED and the nodes of
 * someone else's runtime are untouched: this is the launcher's choice only.
 */
import Module from 'module';

type Logger = ((...args: unknown[]) => void) & {
  enabled: boolean;
  namespace: string;
  extend(sub: string, delimiter?: string): Logger;
  destroy(): boolean;
  log(): void;
};

/** A logger that does nothing, with the properties callers of `debug` read. */
export function silentLogger(namespace: string): Logger {
  const fn = (() => undefined) as unknown as Logger;
  fn.enabled = false;
  fn.namespace = namespace;
  fn.extend = (sub, delimiter = ':') => silentLogger(`${namespace}${delimiter}${sub}`);
  fn.destroy = () => true;
  fn.log = () => undefined;
  return fn;
}

/** Replaces the `debug` module resolved from `from` with a factory of silent loggers; false when DEBUG is set or it is not installed. */
export function quietDebug(env: NodeJS.ProcessEnv = process.env, from: string = __filename): boolean {
  if (env.DEBUG) return false;
  let file: string;
  try {
    file = Module.createRequire(from).resolve('debug');
  } catch {
    return false;
  }
  const req = Module.createRequire(from);
  const real = req('debug') as ((ns: string) => unknown) & Record<string, unknown>;
  if (real.iotQuiet) return true;
  const factory = Object.assign((namespace: string) => silentLogger(String(namespace)), real, { iotQuiet: true });
  const cached = req.cache[file];
  if (!cached) return false;
  cached.exports = factory;
  return true;
}

quietDebug();
