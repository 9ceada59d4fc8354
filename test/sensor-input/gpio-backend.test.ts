import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { GpioOpener, gpioOpener, onoffOpener, setGpioOpener } from '../../nodes/sensor-input/gpio-backend';
import { tempDir } from '../support/services';

test('gpio backend: onoff is the opener until a test swaps one in; no argument restores it', () => {
  assert.equal(gpioOpener(), onoffOpener);
  const fake: GpioOpener = () => ({ ok: false, absent: true, reason: 'fake' });
  setGpioOpener(fake);
  try {
    assert.equal(gpioOpener(), fake);
    assert.deepEqual(gpioOpener()(17, '/sys'), { ok: false, absent: true, reason: 'fake' });
  } finally {
    setGpioOpener();
  }
  assert.equal(gpioOpener(), onoffOpener);
});

test('gpio backend: on a machine without GPIO, onoff says the hardware is absent and why', () => {
  const sysfs = tempDir('no-gpio');
  const r = onoffOpener(17, sysfs);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.absent, true);
  const why = fs.existsSync('/sys/class/gpio') ? /no .*gpiochip|GPIO/ : /GPIO is not accessible on this machine|onoff is not installed/;
  assert.match(r.reason, why);
});
