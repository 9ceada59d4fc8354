/**
 * The two ways the node produces messages, behind one small interface the glue
 * drives: a simulated fleet on a timer, or a watched GPIO input. Both talk to
 * Node-RED only through `Output`, so tests run them without the runtime.
 */
import { status, type NodeStatus } from '../common/status';
import { errorMessage } from '../common/errors';
import { translator, type Translate } from '../common/i18n';
import { gpioTopic, selectedProfiles, type SensorInputConfig } from './config';
import { buildEvent } from './event-shape';
import { watchInput, realTimers, type Timers } from './gpio-input';
import type { GpioOpener } from './gpio-backend';
import { Fleet, type FleetMessage } from './sim/fleet';
import { mathRng, seededRng, type Rng } from './sim/rng';

export interface OutMessage {
  topic: string;
  payload: string;
  sim?: FleetMessage['sim'];
}

export interface Output {
  send(msgs: OutMessage[]): void;
  status(s: NodeStatus): void;
  warn(text: string): void;
  error(text: string): void;
  /** For /health/ready and the system page. */
  health(ok: boolean, detail: string, figures: Record<string, number>): void;
  /** Status texts in the runtime's language (the glue passes RED._'s translator); default en-US. */
  t?: Translate;
}

/** The output's translator, or the en-US catalog of this node set. */
export const texts = (out: Output): Translate => out.t ?? translator({}, __dirname, 'sensor-input');

export interface Runner {
  start(): void;
  stop(): void;
  /** Before stop(): stop taking input and give what the flow holds up to graceMs to settle. */
  drain?(graceMs: number): Promise<void>;
  readonly running: boolean;
}

export interface Clock {
  now(): number;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

/** Status refresh period of the simulator, ms. */
export const STATUS_EVERY = 2000;

export function simulateRunner(cfg: SensorInputConfig, out: Output, clock: Clock = realClock): Runner {
  const t = texts(out);
  const rng: Rng = cfg.seed === undefined ? mathRng : seededRng(cfg.seed);
  const fleet =
    cfg.devices > 0
      ? new Fleet(
          {
            profiles: selectedProfiles(cfg),
            devices: cfg.devices,
            interval: cfg.interval,
            eventMean: cfg.eventMean,
            idPrefix: cfg.idPrefix,
            faults: { dropout: cfg.dropout, spike: cfg.spike, malformed: cfg.malformed },
            rng,
          },
          clock.now(),
        )
      : undefined;
  // Wake often enough that events are not late by more than a fifth of their spacing.
  const tickMs = Math.min(250, Math.max(10, (Math.min(cfg.interval, cfg.eventMean) * 1000) / 5));
  let timer: unknown;
  let sent = 0;
  let windowStart = clock.now();
  let lastStatus = 0;

  const report = (now: number): void => {
    const rate = (sent * 1000) / Math.max(1, now - windowStart);
    out.status(status.ok(t('sensor-input.status.simRate', { rate: rate.toFixed(1), devices: fleet?.size ?? 0 })));
    out.health(true, `simulating ${fleet?.size ?? 0} devices`, { devices: fleet?.size ?? 0, rate });
    sent = 0;
    windowStart = now;
    lastStatus = now;
  };

  const tick = (): void => {
    if (!fleet) return;
    const now = clock.now();
    const msgs = fleet.step(now);
    if (msgs.length) {
      sent += msgs.length;
      out.send(msgs);
    }
    if (now - lastStatus >= STATUS_EVERY) report(now);
  };

  const runner: Runner = {
    get running() {
      return timer !== undefined;
    },
    start() {
      if (timer !== undefined) return;
      if (!fleet) {
        out.status({ text: t('sensor-input.status.simOff') });
        out.health(true, 'simulator off (0 devices)', { devices: 0 });
        return;
      }
      windowStart = clock.now();
      lastStatus = windowStart;
      out.status(status.ok(t('sensor-input.status.starting', { devices: fleet.size })));
      timer = clock.setInterval(() => {
        try {
          tick();
        } catch (err) {
          out.error(`simulator: ${errorMessage(err)}`);
        }
      }, tickMs);
      tick();
    },
    stop() {
      if (timer === undefined) return;
      clock.clearInterval(timer);
      timer = undefined;
      out.status({ text: t('sensor-input.status.stopped') });
    },
  };
  return runner;
}

export function gpioRunner(
  cfg: SensorInputConfig,
  out: Output,
  opener: GpioOpener,
  clock: Pick<Clock, 'now'> = realClock,
  timers: Timers = realTimers,
  rng: Rng = mathRng,
): Runner {
  const t = texts(out);
  const topic = gpioTopic(cfg);
  let stopWatch: (() => void) | undefined;
  let warned = false;
  let events = 0;

  return {
    get running() {
      return stopWatch !== undefined;
    },
    start() {
      if (stopWatch) return;
      const opened = opener(cfg.pin, cfg.sysfsRoot);
      if (!opened.ok) {
        if (opened.absent) {
          // Hardware missing is normal off the Pi: say it once, keep the flow running.
          if (!warned) out.warn(`no GPIO here, input disabled: ${opened.reason}`);
          warned = true;
          out.status(status.absent(t('sensor-input.status.noGpio', { reason: opened.reason })));
          out.health(true, `GPIO absent: ${opened.reason}`, {});
        } else {
          out.status(status.failed(opened.reason));
          out.error(opened.reason);
          out.health(false, opened.reason, {});
        }
        return;
      }
      out.status(status.ok(t('sensor-input.status.watching', { pin: cfg.pin })));
      out.health(true, `watching ${opened.detail}`, { events });
      stopWatch = watchInput(
        opened.port,
        { edge: cfg.edge, debounceMs: cfg.debounce, activeLow: cfg.activeLow },
        (change) => {
          const event = buildEvent(
            { deviceId: cfg.deviceId, type: cfg.eventType, source: cfg.source || undefined, gpioPin: cfg.pin, state: change.state },
            clock.now(),
            rng,
          );
          events++;
          out.send([{ topic, payload: JSON.stringify(event) }]);
          out.status(status.ok(t('sensor-input.status.gpioChange', { pin: cfg.pin, state: change.state, events })));
        },
        (err) => {
          out.status(status.failed(t('sensor-input.status.gpioError', { pin: cfg.pin, error: err.message })));
          out.error(`GPIO${cfg.pin}: ${err.message}`);
        },
        timers,
      );
    },
    stop() {
      if (!stopWatch) return;
      const stopNow = stopWatch;
      stopWatch = undefined;
      stopNow();
      out.status({ text: t('sensor-input.status.stopped') });
    },
  };
}
