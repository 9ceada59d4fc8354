/** BCM -> sysfs number mapping against fake /sys/class/gpio folders of real boards. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import path from 'path';
import { tempDir } from '../support/services';
import { findHeaderChip, listChips, lookupPin, sysfsNumber } from '../../nodes/sensor-input/gpio-chip';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A sysfs folder with the given chips, as the kernel lays it out (plus export/unexport files). */
function fakeSysfs(chips: Array<{ base: number; label?: string; ngpio: number }>): string {
  const root = tempDir('gpio-sysfs');
  dirs.push(root);
  fs.writeFileSync(path.join(root, 'export'), '');
  fs.writeFileSync(path.join(root, 'unexport'), '');
  for (const c of chips) {
    const dir = path.join(root, `gpiochip${c.base}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'base'), `${c.base}\n`);
    fs.writeFileSync(path.join(dir, 'ngpio'), `${c.ngpio}\n`);
    if (c.label !== undefined) fs.writeFileSync(path.join(dir, 'label'), `${c.label}\n`);
  }
  return root;
}

test('Pi 4 on kernel 6.6+: header chip at 512, GPIO17 is 529', () => {
  const root = fakeSysfs([
    { base: 512, label: 'pinctrl-bcm2711', ngpio: 58 },
    { base: 570, label: 'raspberrypi-exp-gpio', ngpio: 8 },
  ]);
  const r = lookupPin(17, root);
  assert.ok(r.ok);
  assert.equal(r.number, 529);
  assert.equal(r.chip.name, 'gpiochip512');
});

test('Pi 5: the RP1 chip is found by label among several chips', () => {
  const root = fakeSysfs([
    { base: 512, label: 'gpio-brcmstb@107d508500', ngpio: 32 },
    { base: 544, label: 'gpio-brcmstb@107d508520', ngpio: 4 },
    { base: 548, label: 'gpio-brcmstb@107d517c00', ngpio: 17 },
    { base: 565, label: 'gpio-brcmstb@107d517c20', ngpio: 6 },
    { base: 571, label: 'pinctrl-rp1', ngpio: 54 },
  ]);
  const r = lookupPin(17, root);
  assert.ok(r.ok);
  assert.equal(r.number, 588);
  assert.equal(r.chip.label, 'pinctrl-rp1');
});

test('older kernels: base 0 maps BCM numbers to themselves', () => {
  const root = fakeSysfs([
    { base: 0, label: 'pinctrl-bcm2835', ngpio: 54 },
    { base: 504, label: 'raspberrypi-exp-gpio', ngpio: 8 },
  ]);
  const r = lookupPin(4, root);
  assert.ok(r.ok);
  assert.equal(r.number, 4);
});

test('an unknown label is accepted by the header line count', () => {
  const root = fakeSysfs([
    { base: 100, label: 'gpio-other', ngpio: 8 },
    { base: 200, label: 'custom-soc', ngpio: 58 },
  ]);
  const r = lookupPin(27, root);
  assert.ok(r.ok);
  assert.equal(r.number, 227);
  assert.equal(findHeaderChip(listChips(root))?.name, 'gpiochip200');
});

test('a label match wins over a line-count match', () => {
  const chips = [
    { name: 'gpiochip300', base: 300, label: 'other', ngpio: 54 },
    { name: 'gpiochip512', base: 512, label: 'pinctrl-bcm2711', ngpio: 58 },
  ];
  assert.equal(findHeaderChip(chips)?.base, 512);
});

test('no GPIO: missing folder, no chips, or no header chip give a reason', () => {
  const missingRoot = lookupPin(17, path.join(tempDir('gpio-none'), 'absent'));
  assert.deepEqual(missingRoot.ok, false);
  assert.match(!missingRoot.ok ? missingRoot.reason : '', /no gpiochip under/);
  const empty = lookupPin(17, fakeSysfs([]));
  assert.match(!empty.ok ? empty.reason : '', /no gpiochip under/);
  const other = lookupPin(17, fakeSysfs([{ base: 0, label: 'gpio-mockup-A', ngpio: 8 }]));
  assert.match(!other.ok ? other.reason : '', /no header gpiochip .*gpiochip0:gpio-mockup-A/);
});

test('chips with unreadable base are skipped; pins beyond the chip are refused', () => {
  const root = fakeSysfs([{ base: 512, label: 'pinctrl-bcm2711', ngpio: 58 }]);
  fs.mkdirSync(path.join(root, 'gpiochip999'));
  assert.deepEqual(
    listChips(root).map((c) => c.base),
    [512],
  );
  const r = lookupPin(58, root);
  assert.match(!r.ok ? r.reason : '', /GPIO 58 is not a line of gpiochip512/);
  assert.throws(() => sysfsNumber(-1, listChips(root)[0]), RangeError);
});
