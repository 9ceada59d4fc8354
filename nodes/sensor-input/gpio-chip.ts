/**
 * BCM pin number -> sysfs GPIO number. Since Linux 6.6 the header's gpiochip no
 * longer starts at 0 in sysfs (512 on a Pi 4, 571 for the RP1 on a Pi 5), so
 * `/sys/class/gpio/gpio17` is gone and onoff needs `base + 17`. The chip is found
 * by its label, or by its line count when the label is unknown.
 */
import fs from 'fs';
import path from 'path';

export const DEFAULT_SYSFS_ROOT = '/sys/class/gpio';

/** Labels of the chips that drive the 40-pin header (Pi 1-4, Pi 5 RP1). */
export const HEADER_LABELS = ['pinctrl-bcm2711', 'pinctrl-bcm2835', 'pinctrl-rp1', 'pinctrl-bcm2712'];
/** Line counts of those chips (54 on BCM2835/RP1, 58 on BCM2711). */
export const HEADER_NGPIO = [54, 58];

export interface GpioChip {
  /** e.g. `gpiochip512`. */
  name: string;
  base: number;
  label: string;
  ngpio: number;
}

function readTrim(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Every gpiochip under the sysfs root; [] when the folder is missing. */
export function listChips(root = DEFAULT_SYSFS_ROOT): GpioChip[] {
  let names: string[];
  try {
    names = fs.readdirSync(root).filter((n) => /^gpiochip\d+$/.test(n));
  } catch {
    return [];
  }
  const chips: GpioChip[] = [];
  for (const name of names) {
    const base = Number(readTrim(path.join(root, name, 'base')));
    const ngpio = Number(readTrim(path.join(root, name, 'ngpio')));
    if (!Number.isInteger(base) || !Number.isInteger(ngpio)) continue;
    chips.push({ name, base, ngpio, label: readTrim(path.join(root, name, 'label')) || '' });
  }
  return chips.sort((a, b) => a.base - b.base);
}

/** The chip of the 40-pin header: a known label first, else a known line count; undefined if none. */
export function findHeaderChip(chips: GpioChip[]): GpioChip | undefined {
  return chips.find((c) => HEADER_LABELS.includes(c.label)) || chips.find((c) => HEADER_NGPIO.includes(c.ngpio));
}

/** The sysfs number of a BCM pin on the chip; throws when the pin is not one of its lines. */
export function sysfsNumber(bcm: number, chip: GpioChip): number {
  if (!Number.isInteger(bcm) || bcm < 0 || bcm >= chip.ngpio) {
    throw new RangeError(`GPIO ${bcm} is not a line of ${chip.name} (${chip.label || 'no label'}, ${chip.ngpio} lines)`);
  }
  return chip.base + bcm;
}

export type PinLookup = { ok: true; chip: GpioChip; number: number } | { ok: false; reason: string };

/** Finds the header chip under `root` and maps `bcm`; a reason instead when there is no GPIO. */
export function lookupPin(bcm: number, root = DEFAULT_SYSFS_ROOT): PinLookup {
  const chips = listChips(root);
  if (chips.length === 0) return { ok: false, reason: `no gpiochip under ${root}` };
  const chip = findHeaderChip(chips);
  if (!chip) return { ok: false, reason: `no header gpiochip under ${root} (found ${chips.map((c) => `${c.name}:${c.label}`).join(', ')})` };
  try {
    return { ok: true, chip, number: sysfsNumber(bcm, chip) };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}
