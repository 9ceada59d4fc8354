/** threshold-alert node settings: typed, defaulted, validated, upgraded. No node-red import. */
import { createHash } from 'crypto';
import { fieldParsers } from '../common/config-parse';
import { DEFAULT_RULES, Rule, parseRulesJson } from './rules';

export const CONFIG_VERSION = 2;

export interface ThresholdAlertConfig {
  /** Version of the saved settings; older ones are upgraded by parseConfig. */
  configVersion: number;
  /** The rules, validated from the dialog's JSON. */
  rules: Rule[];
  /** Hash of the dialog's rules: a run-time `rules` override is kept only while this is unchanged. */
  rulesHash: string;
  /** Transitions kept in the history (10-10000); older ones are dropped and counted. */
  historyLimit: number;
  /** Devices whose last-seen time is tracked (staleness); readings of devices beyond it are counted, not tracked. */
  maxDevices: number;
  /** Alerts held at once (pending, firing, acknowledged); alerts beyond it are not opened, and counted. */
  maxAlerts: number;
  /** Seconds between timer checks (pending, keep-firing, repeat, staleness). */
  tickSeconds: number;
  /** Start armed when no saved state exists (event rules marked whileArmed). */
  armed: boolean;
}

export const DEFAULTS = {
  configVersion: CONFIG_VERSION,
  rules: JSON.stringify(DEFAULT_RULES, null, 2),
  historyLimit: 500,
  maxDevices: 20_000,
  maxAlerts: 10_000,
  tickSeconds: 1,
  armed: false,
};

const { num } = fieldParsers(DEFAULTS);

/** Validates and converts the node's saved properties; throws ValidationError naming the field. */
export function parseConfig(def: Record<string, unknown>): ThresholdAlertConfig {
  // Version 0 (no configVersion) and 1 have the same fields; version 2 added the
  // maxDevices / maxAlerts bounds, which an older save gets at their defaults.
  const text = typeof def.rules === 'string' && def.rules.trim() !== '' ? def.rules : DEFAULTS.rules;
  const rules = parseRulesJson(text);
  return {
    configVersion: CONFIG_VERSION,
    rules,
    rulesHash: createHash('sha256').update(JSON.stringify(rules)).digest('hex').slice(0, 16),
    historyLimit: Math.round(num(def, 'historyLimit', 10, 10_000)),
    maxDevices: Math.round(num(def, 'maxDevices', 10, 1_000_000)),
    maxAlerts: Math.round(num(def, 'maxAlerts', 10, 100_000)),
    tickSeconds: num(def, 'tickSeconds', 0.05, 60),
    armed: def.armed === true || def.armed === 'true',
  };
}
