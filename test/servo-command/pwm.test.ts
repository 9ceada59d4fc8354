import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import path from 'path';
import { angleToDutyNs, PwmServo } from '../../nodes/servo-command/pwm';
import { tempDir } from '../support/services';

test('angleToDutyNs maps 0-180° linearly onto the calibrated pulse', () => {
  assert.equal(angleToDutyNs(0, 500, 2500), 500_000);
  assert.equal(angleToDutyNs(90, 500, 2500), 1_500_000);
  assert.equal(angleToDutyNs(180, 500, 2500), 2_500_000);
  assert.equal(angleToDutyNs(45, 1000, 2000), 1_250_000);
  assert.equal(angleToDutyNs(400, 500, 2500), 2_500_000);
});

/** A folder laid out like /sys/class/pwm; `udev` creates pwmN when export is written. */
function fakeSysfs(exported: boolean): { root: string; stop: () => void } {
  const root = tempDir('pwm');
  const chip = path.join(root, 'pwmchip0');
  fs.mkdirSync(chip);
  fs.writeFileSync(path.join(chip, 'export'), '');
  fs.writeFileSync(path.join(chip, 'npwm'), '2');
  const mkChannel = (n: string) => {
    const ch = path.join(chip, `pwm${n}`);
    fs.mkdirSync(ch);
    for (const [f, v] of [
      ['period', '0'],
      ['duty_cycle', '0'],
      ['enable', '0'],
    ])
      fs.writeFileSync(path.join(ch, f), v);
  };
  if (exported) mkChannel('0');
  const timer = setInterval(() => {
    const n = fs.readFileSync(path.join(chip, 'export'), 'utf8').trim();
    if (n && !fs.existsSync(path.join(chip, `pwm${n}`))) mkChannel(n);
  }, 20);
  return { root, stop: () => clearInterval(timer) };
}

const read = (root: string, f: string) => fs.readFileSync(path.join(root, 'pwmchip0', 'pwm1', f), 'utf8');

test('PwmServo exports the channel, sets period, duty cycle and enable', async () => {
  const sys = fakeSysfs(false);
  try {
    const servo = new PwmServo({ root: sys.root, chip: 0, channel: 1, periodNs: 20_000_000, minPulseUs: 500, maxPulseUs: 2500 });
    assert.equal(await servo.moveTo(90), 1_500_000);
    assert.equal(fs.readFileSync(path.join(sys.root, 'pwmchip0', 'export'), 'utf8'), '1');
    assert.deepEqual([read(sys.root, 'period'), read(sys.root, 'duty_cycle'), read(sys.root, 'enable')], ['20000000', '1500000', '1']);
    await servo.moveTo(0);
    assert.equal(read(sys.root, 'duty_cycle'), '500000');
    assert.equal(servo.angle, 0);
  } finally {
    sys.stop();
  }
});

test('PwmServo lowers a duty cycle that exceeds the new period before writing it', async () => {
  const sys = fakeSysfs(false);
  try {
    fs.writeFileSync(path.join(sys.root, 'pwmchip0', 'export'), '1');
    for (let i = 0; i < 50 && !fs.existsSync(path.join(sys.root, 'pwmchip0', 'pwm1', 'period')); i++) await new Promise((r) => setTimeout(r, 20));
    fs.writeFileSync(path.join(sys.root, 'pwmchip0', 'pwm1', 'duty_cycle'), '30000000');
    const servo = new PwmServo({ root: sys.root, chip: 0, channel: 1, periodNs: 20_000_000, minPulseUs: 500, maxPulseUs: 2500 });
    await servo.setup();
    assert.deepEqual([read(sys.root, 'duty_cycle'), read(sys.root, 'period')], ['0', '20000000']);
  } finally {
    sys.stop();
  }
});

test('a missing PWM chip is an UnavailableError with a clear reason', async () => {
  const servo = new PwmServo({ root: tempDir('nopwm'), chip: 0, channel: 0, periodNs: 20_000_000, minPulseUs: 500, maxPulseUs: 2500 });
  assert.equal(servo.available(), false);
  await assert.rejects(servo.moveTo(90), (err: Error) => err.name === 'UnavailableError' && /PWM chip .*pwmchip0 not found/.test(err.message));
});
