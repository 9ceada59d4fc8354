/**
 * Opens a digital input through onoff, or says why there is no GPIO here
 * (onoff or its native part missing, no sysfs GPIO, no header gpiochip).
 * `setGpioOpener` swaps in a fake for tests.
 */
import { lookupPin } from './gpio-chip';
import type { GpioPort, Level } from './gpio-input';

export type OpenResult = { ok: true; port: GpioPort; detail: string } | { ok: false; absent: boolean; reason: string };

/** Opens BCM pin `bcm` as an input watched on both edges. */
export type GpioOpener = (bcm: number, sysfsRoot: string) => OpenResult;

interface OnoffGpio {
  readSync(): Level;
  watch(cb: (err: Error | null | undefined, value: Level) => void): void;
  unwatchAll(): void;
  unexport(): void;
}
interface OnoffModule {
  Gpio: { accessible: boolean; new (n: number, direction: 'in', edge: 'both'): OnoffGpio };
}

export const onoffOpener: GpioOpener = (bcm, sysfsRoot) => {
  let onoff: OnoffModule;
  try {
    onoff = require('onoff');
  } catch (err) {
    return { ok: false, absent: true, reason: `onoff is not installed (${(err as Error).message.split('\n')[0]})` };
  }
  if (!onoff.Gpio.accessible) return { ok: false, absent: true, reason: 'GPIO is not accessible on this machine' };
  const pin = lookupPin(bcm, sysfsRoot);
  if (!pin.ok) return { ok: false, absent: true, reason: pin.reason };
  try {
    const gpio = new onoff.Gpio(pin.number, 'in', 'both');
    const port: GpioPort = {
      readSync: () => gpio.readSync(),
      watch: (cb) => gpio.watch(cb),
      release: () => {
        gpio.unwatchAll();
        gpio.unexport();
      },
    };
    return { ok: true, port, detail: `GPIO${bcm} (sysfs ${pin.number} on ${pin.chip.label || pin.chip.name})` };
  } catch (err) {
    return { ok: false, absent: false, reason: `cannot open GPIO${bcm} (sysfs ${pin.number}): ${(err as Error).message}` };
  }
};

let current: GpioOpener = onoffOpener;

export function gpioOpener(): GpioOpener {
  return current;
}

/** Replaces the opener (tests); call with no argument to restore onoff. */
export function setGpioOpener(opener?: GpioOpener): void {
  current = opener || onoffOpener;
}
