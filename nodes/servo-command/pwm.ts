/**
 * A hobby servo on the Linux PWM sysfs interface:
 *   <root>/pwmchipN/export, pwmchipN/pwmM/{period,duty_cycle,enable}
 * Writing files is the only seam, so tests use a temporary folder laid out the same way.
 */
import fs from 'fs';
import path from 'path';
import { UnavailableError } from '../common/errors';

export interface PwmOptions {
  root: string;
  chip: number;
  channel: number;
  periodNs: number;
  minPulseUs: number;
  maxPulseUs: number;
}

/** Duty cycle in ns for an angle 0-180 with the calibrated pulse range. Pure. */
export function angleToDutyNs(angle: number, minPulseUs: number, maxPulseUs: number): number {
  const a = Math.min(180, Math.max(0, angle));
  return Math.round((minPulseUs + ((maxPulseUs - minPulseUs) * a) / 180) * 1000);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class PwmServo {
  private ready = false;
  angle?: number;

  constructor(private readonly opts: PwmOptions) {}

  get chipDir(): string {
    return path.join(this.opts.root, `pwmchip${this.opts.chip}`);
  }

  get channelDir(): string {
    return path.join(this.chipDir, `pwm${this.opts.channel}`);
  }

  available(): boolean {
    return fs.existsSync(this.chipDir);
  }

  private write(name: string, value: string | number): void {
    fs.writeFileSync(path.join(this.channelDir, name), String(value));
  }

  private read(name: string): number {
    try {
      return Number(fs.readFileSync(path.join(this.channelDir, name), 'utf8').trim()) || 0;
    } catch {
      return 0;
    }
  }

  /** Exports the channel (once) and sets the period; throws UnavailableError without a chip. */
  async setup(): Promise<void> {
    if (this.ready) return;
    if (!this.available()) {
      throw new UnavailableError(`PWM chip ${this.chipDir} not found: enable PWM (e.g. dtoverlay=pwm in /boot/firmware/config.txt) or set the sysfs root`);
    }
    if (!fs.existsSync(this.channelDir)) {
      fs.writeFileSync(path.join(this.chipDir, 'export'), String(this.opts.channel));
      // udev creates the channel folder (and fixes its permissions) shortly after export.
      for (let i = 0; i < 40 && !fs.existsSync(path.join(this.channelDir, 'period')); i++) await sleep(50);
      if (!fs.existsSync(this.channelDir))
        throw new UnavailableError(`exporting PWM channel ${this.opts.channel} on ${this.chipDir} did not create ${this.channelDir}`);
    }
    // duty_cycle must never exceed the period, in either order of writes.
    if (this.read('duty_cycle') > this.opts.periodNs) this.write('duty_cycle', 0);
    if (this.read('period') !== this.opts.periodNs) this.write('period', this.opts.periodNs);
    this.ready = true;
  }

  /** Sets the pulse for an angle and enables the output. */
  async moveTo(angle: number): Promise<number> {
    await this.setup();
    const duty = angleToDutyNs(angle, this.opts.minPulseUs, this.opts.maxPulseUs);
    this.write('duty_cycle', duty);
    if (this.read('enable') !== 1) this.write('enable', 1);
    this.angle = angle;
    return duty;
  }
}
