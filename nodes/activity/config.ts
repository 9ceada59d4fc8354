/** activity-classifier node settings: typed, defaulted, validated. No node-red import. */
import { ValidationError } from '../common/errors';
import { DEFAULTS as CLASSIFIER, parseOptions, type ClassifierOptions } from '../common/activity-classifier';

export const CONFIG_VERSION = 1;

export interface ActivityConfig extends ClassifierOptions {
  /** Version of the saved settings. */
  configVersion: number;
  /** Sensor types read as accelerometers (x, y, z in m/s²); empty: any Reading that has x, y and z. */
  sensorTypes: string[];
  /** Sensor type of the Readings this node emits. */
  outputType: string;
  /** A device's activity is emitted when it changes and at least every this many seconds (0: on changes only). */
  emitSeconds: number;
}

/** The settings as a flow file and the dialog hold them (numbers may come back as strings). */
export const DEFAULTS = {
  configVersion: CONFIG_VERSION,
  sensorTypes: 'activity',
  outputType: 'activity_state',
  emitSeconds: 10,
  ...CLASSIFIER,
};

const NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

function num(def: Record<string, unknown>, field: string, dflt: number): number {
  const raw = def[field];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new ValidationError(`${field} must be a number, got ${JSON.stringify(raw)}`, field);
  return n;
}

/** Validates a node definition; throws a ValidationError naming the bad field. */
export function parseConfig(def: Record<string, unknown>): ActivityConfig {
  const types = String(def.sensorTypes ?? DEFAULTS.sensorTypes)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const t of types) if (!NAME.test(t)) throw new ValidationError(`sensorTypes: "${t}" is not a sensor type name`, 'sensorTypes');
  const outputType = String(def.outputType || DEFAULTS.outputType).trim();
  if (!NAME.test(outputType)) throw new ValidationError(`outputType: "${outputType}" is not a sensor type name`, 'outputType');
  if (types.includes(outputType)) throw new ValidationError('outputType must not be one of sensorTypes (the node would read its own output)', 'outputType');
  const emitSeconds = num(def, 'emitSeconds', DEFAULTS.emitSeconds);
  if (emitSeconds < 0 || emitSeconds > 86_400) throw new ValidationError('emitSeconds must be 0-86400', 'emitSeconds');
  const opts: Partial<ClassifierOptions> = {};
  for (const k of Object.keys(CLASSIFIER) as Array<keyof ClassifierOptions>) opts[k] = num(def, k, CLASSIFIER[k]);
  let classifier: ClassifierOptions;
  try {
    classifier = parseOptions(opts);
  } catch (err) {
    throw new ValidationError((err as Error).message, (err as Error).message.split(' ')[0]);
  }
  return { ...classifier, configVersion: CONFIG_VERSION, sensorTypes: types, outputType, emitSeconds };
}
