/**
 * Known metrics: default unit and sane range, unit spellings, and the optional
 * conversions (°F/K -> °C, Pa -> hPa). Ranges are in the default unit.
 */

export type Range = readonly [number, number];

/** Default unit of a metric name (also used for the last `_part` of nested names). */
export const DEFAULT_UNITS: Readonly<Record<string, string>> = {
  temperature: '°C',
  temp: '°C',
  object_temp: '°C',
  ambient_temp: '°C',
  humidity: '%',
  pressure: 'hPa',
  battery: '%',
  heart_rate: 'bpm',
  spo2: '%',
  x: 'm/s²',
  y: 'm/s²',
  z: 'm/s²',
  duration_ms: 'ms',
  uptime_ms: 'ms',
  illuminance: 'lx',
  lux: 'lx',
  co2: 'ppm',
  voltage: 'V',
  dew_point: '°C',
  color_temp: 'mired',
};

/** Sane ranges for known metrics; a config may override one or disable it with null. */
export const DEFAULT_RANGES: Readonly<Record<string, Range>> = {
  temperature: [-80, 150],
  temp: [-80, 150],
  object_temp: [-70, 380],
  ambient_temp: [-40, 125],
  humidity: [0, 100],
  pressure: [300, 1100],
  battery: [0, 100],
  // 255 is the MAX3010x 'no reading' value, not a heart rate.
  heart_rate: [0, 250],
  spo2: [0, 100],
  confidence: [0, 1],
  duration_ms: [0, 86400000],
  x: [-160, 160],
  y: [-160, 160],
  z: [-160, 160],
  co2: [0, 50000],
  illuminance: [0, 200000],
  lux: [0, 200000],
  // Not a temperature, though its last part says `temp`: colour temperature in mireds.
  color_temp: [0, 10000],
};

const UNIT_SPELLINGS: Readonly<Record<string, string>> = {
  c: '°C',
  '°c': '°C',
  degc: '°C',
  celsius: '°C',
  'º c': '°C',
  ºc: '°C',
  f: '°F',
  '°f': '°F',
  degf: '°F',
  fahrenheit: '°F',
  ºf: '°F',
  k: 'K',
  kelvin: 'K',
  pa: 'Pa',
  hpa: 'hPa',
  mbar: 'hPa',
  kpa: 'kPa',
  '%': '%',
  percent: '%',
  '%rh': '%',
  bpm: 'bpm',
};

/** Canonical spelling of a unit (`F` -> `°F`, `mbar` -> `hPa`); unknown units are kept trimmed. */
export function canonicalUnit(unit: string): string {
  const trimmed = unit.trim();
  return UNIT_SPELLINGS[trimmed.toLowerCase()] ?? trimmed;
}

/** True for units of temperature (the ones a `unit` field beside several metrics applies to). */
export function isTemperatureUnit(unit: string): boolean {
  const u = canonicalUnit(unit);
  return u === '°C' || u === '°F' || u === 'K';
}

/** Which conversions are on. */
export interface Conversions {
  /** °F and K -> °C. */
  toCelsius: boolean;
  /** Pa and kPa -> hPa (also a pressure without unit above 2000, which can only be Pa). */
  toHectopascal: boolean;
}

/** Rounds away float noise from conversions (300.15 K -> 27, not 27.000000000000057). */
const tidy = (x: number): number => Math.round(x * 1e9) / 1e9;

/** Converted value and unit. Returns the input unchanged when no conversion applies. */
export function convert(value: number, unit: string | undefined, defaultUnit: string | undefined, conv: Conversions): [number, string | undefined] {
  if (unit === undefined) {
    if (conv.toHectopascal && defaultUnit === 'hPa' && value > 2000) return [tidy(value / 100), 'hPa'];
    return [value, defaultUnit];
  }
  if (conv.toCelsius) {
    if (unit === '°F') return [tidy(((value - 32) * 5) / 9), '°C'];
    if (unit === 'K') return [tidy(value - 273.15), '°C'];
  }
  if (conv.toHectopascal) {
    if (unit === 'Pa') return [tidy(value / 100), 'hPa'];
    if (unit === 'kPa') return [tidy(value * 10), 'hPa'];
  }
  return [value, unit];
}

/** Last `_`-separated part of a name (`bme280_temperature` -> `temperature`), or null. */
export function baseName(name: string): string | null {
  const i = name.lastIndexOf('_');
  return i > 0 && i < name.length - 1 ? name.slice(i + 1) : null;
}

/** True when a metric name denotes a temperature (`temperature`, `object_temp`, `bme280_temperature`). */
export function isTemperatureName(name: string): boolean {
  return DEFAULT_UNITS[name] === '°C' || /(?:^|_)(?:temp|temperature|dew_point)(?:_|$)/.test(name);
}
