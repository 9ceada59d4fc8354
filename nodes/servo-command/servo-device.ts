/**
 * servo-command in device mode: drives a PWM servo (pwm.ts) from the commands
 * it receives, one at a time and rate limited, and publishes the
 * acknowledgements. Missing PWM hardware warns once and shows grey.
 */
import { errorMessage, ValidationError } from '../common/errors';
import { metrics } from '../common/metrics';
import type { Translate } from '../common/i18n';
import type { NodeKit } from '../common/node-kit';
import type { DoneFn, NodeInstance, NodeMessage, SendFn } from '../common/red';
import { status } from '../common/status';
import { compileTopic, type TopicTemplate } from '../common/topic';
import type { Command } from '../common/types';
import type { Ack } from './command';
import { DEVICE_ID_RE, ServoConfig } from './config';
import { execute, parseReceived } from './device';
import { MinInterval } from './min-interval';
import { PwmServo } from './pwm';

export class ServoDevice {
  private readonly topic: TopicTemplate;
  private readonly ackTopic: TopicTemplate;
  private readonly limiter: MinInterval;
  private readonly servo: PwmServo;
  private warned = false;
  /** Commands run one after another. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly node: NodeInstance,
    private readonly cfg: ServoConfig,
    private readonly kit: NodeKit,
    private readonly tr: Translate,
  ) {
    this.topic = compileTopic(cfg.topic);
    this.ackTopic = compileTopic(cfg.ackTopic);
    this.limiter = new MinInterval(cfg.rateLimitMs);
    this.servo = new PwmServo({
      root: cfg.pwmRoot,
      chip: cfg.pwmChip,
      channel: cfg.pwmChannel,
      periodNs: cfg.periodNs,
      minPulseUs: cfg.minPulseUs,
      maxPulseUs: cfg.maxPulseUs,
    });
    if (!this.absent()) node.status(status.ok(tr('servo-command.status.readyPwm', { pwm: `${this.servo.chipDir}/pwm${cfg.pwmChannel}` })));
  }

  /** Why no servo can move (no PWM chip), warned once and shown grey; undefined when the hardware is there. */
  private absent(): string | undefined {
    if (this.servo.available()) return undefined;
    const reason = `PWM chip ${this.servo.chipDir} not found: no servo on this machine`;
    if (!this.warned) this.node.warn(`${reason} (enable PWM, e.g. dtoverlay=pwm, or set the sysfs root)`);
    this.warned = true;
    this.node.status(status.absent(this.tr('servo-command.status.noPwm')));
    return reason;
  }

  /** A command for this device (others' are ignored): executed, or refused with a failed ack. */
  input(msg: NodeMessage, send: SendFn, done: DoneFn): void {
    const { cfg, topic, ackTopic } = this;
    const matched = typeof msg.topic === 'string' ? topic.match(msg.topic) : null;
    const deviceId = cfg.deviceId || matched?.deviceId || String(msg.deviceId || '');
    if (cfg.deviceId && matched && matched.deviceId !== cfg.deviceId) {
      done(); // another device's command
      return;
    }
    if (!DEVICE_ID_RE.test(deviceId)) {
      done(new ValidationError(`deviceId missing: set it on the node or receive on ${cfg.topic}`, 'deviceId'));
      return;
    }
    const reply = (ack: Ack): void => send([{ topic: ackTopic.render({ deviceId }), payload: { ...ack, deviceId }, qos: 1, retain: false }, null]);
    const finalize = (ack: Ack, cmd?: Partial<Command>): void => {
      metrics.commands.inc({ status: ack.status });
      send([null, { topic: `${topic.render({ deviceId })}/status`, payload: { ...cmd, id: ack.id, deviceId, status: ack.status }, reason: ack.reason }]);
    };
    const now = Date.now();
    let received;
    try {
      received = parseReceived(msg.payload, cfg, now);
    } catch (err) {
      const id = (msg.payload as Record<string, unknown> | undefined)?.id;
      if (typeof id === 'string') {
        const ack: Ack = { id, status: 'failed', reason: errorMessage(err), ts: now };
        reply(ack);
        finalize(ack);
      }
      this.kit.fail(done, err);
      return;
    }
    const cmd: Partial<Command> = {
      action: received.request.action,
      params: received.request.params,
      createdAt: received.createdAt,
      expiresAt: received.expiresAt,
    };
    const missing = this.absent();
    const wait = missing ? 0 : this.limiter.take(deviceId, now);
    if (missing || wait > 0) {
      if (wait > 0) metrics.rateLimited.inc({ node: 'servo-command' });
      const ack: Ack = { id: received.id, status: 'failed', reason: missing || `rate limited: one command per ${cfg.rateLimitMs} ms`, ts: now };
      reply(ack);
      finalize(ack, cmd);
      done();
      return;
    }
    const job = this.queue.then(() =>
      execute(this.servo, received, { centerAngle: cfg.centerAngle, sweepDwellMs: cfg.sweepDwellMs }, (ack) => {
        reply(ack);
        if (ack.status !== 'acknowledged') finalize(ack, cmd);
      }),
    );
    this.queue = job.catch(() => undefined);
    job
      .then((ack) => {
        this.node.status(
          ack.status === 'executed'
            ? status.ok(this.tr('servo-command.status.executed', { command: received.request.action === 'sweep' ? 'sweep' : `${ack.angle}°` }))
            : status.failed(ack.reason || this.tr('servo-command.state.failed')),
        );
      })
      .then(() => done(), done);
  }

  /** Resolves once the command running now has finished. */
  close(): Promise<void> {
    return this.queue.then(
      () => undefined,
      () => undefined,
    );
  }
}
