/**
 * servo-command in server mode: turns requests into Commands on
 * commands/{deviceId}/servo (rate limited per device) and follows their
 * acknowledgements (tracker.ts) until they are final.
 */
import { ValidationError } from '../common/errors';
import { metrics } from '../common/metrics';
import type { Translate } from '../common/i18n';
import type { NodeKit } from '../common/node-kit';
import type { DoneFn, NodeInstance, NodeMessage, SendFn } from '../common/red';
import { status } from '../common/status';
import { compileTopic, type TopicTemplate } from '../common/topic';
import type { Command } from '../common/types';
import { createCommand, describeCommand, isFinal, parseAck, parseRequest } from './command';
import { DEVICE_ID_RE, ServoConfig } from './config';
import { MinInterval } from './min-interval';
import { CommandTracker, Transition } from './tracker';

export class ServoServer {
  private readonly topic: TopicTemplate;
  private readonly ackTopic: TopicTemplate;
  private readonly limiter: MinInterval;
  private readonly tracker: CommandTracker;

  constructor(
    private readonly node: NodeInstance,
    private readonly cfg: ServoConfig,
    private readonly kit: NodeKit,
    private readonly tr: Translate,
  ) {
    this.topic = compileTopic(cfg.topic);
    this.ackTopic = compileTopic(cfg.ackTopic);
    this.limiter = new MinInterval(cfg.rateLimitMs);
    this.tracker = new CommandTracker((t) => this.report(t));
    node.status(status.ok(tr('servo-command.status.ready')));
  }

  /** A tracked command changed: status, the final-outcome counter, and a status message on output 2. */
  private report({ command, reason }: Transition): void {
    if (isFinal(command.status)) metrics.commands.inc({ status: command.status });
    const what = { state: this.tr(`servo-command.state.${command.status}`), command: describeCommand(command), device: command.deviceId, reason: reason ?? '' };
    const text = this.tr(reason ? 'servo-command.status.transitionReason' : 'servo-command.status.transition', what);
    this.node.status(
      command.status === 'executed'
        ? status.ok(text)
        : command.status === 'failed'
          ? status.failed(text)
          : command.status === 'expired'
            ? status.degraded(text)
            : status.busy(text),
    );
    this.node.send([null, { topic: `${this.topic.render({ deviceId: command.deviceId })}/status`, payload: command, reason }]);
  }

  /** An acknowledgement (on the ack topic) or a request to command a device. */
  input(msg: NodeMessage, send: SendFn, done: DoneFn): void {
    const { cfg, topic, ackTopic, limiter, tracker } = this;
    try {
      if (typeof msg.topic === 'string' && ackTopic.match(msg.topic)) {
        const ack = parseAck(msg.payload);
        if (!ack) throw new ValidationError(`acknowledgement on ${msg.topic} needs {"id", "status": acknowledged|executed|failed}`, 'payload');
        tracker.applyAck(ack);
        done();
        return;
      }
      const p = (msg.payload && typeof msg.payload === 'object' ? msg.payload : {}) as Record<string, unknown>;
      const deviceId = String(cfg.deviceId || msg.deviceId || p.deviceId || '');
      if (!DEVICE_ID_RE.test(deviceId)) {
        throw new ValidationError(`deviceId missing or invalid ("${deviceId.slice(0, 40)}"): set it on the node, msg.deviceId or payload.deviceId`, 'deviceId');
      }
      const request = parseRequest(msg.payload, cfg);
      const wait = limiter.take(deviceId, Date.now());
      if (wait > 0) {
        metrics.rateLimited.inc({ node: 'servo-command' });
        throw new ValidationError(`rate limited: ${deviceId} accepts one command per ${cfg.rateLimitMs} ms (retry in ${wait} ms)`, 'rateLimitMs');
      }
      const command: Command = { ...createCommand(deviceId, request, Date.now(), cfg.ttlSec), status: 'sent' };
      msg.topic = topic.render({ deviceId });
      msg.payload = command;
      msg.qos = 1;
      msg.retain = false;
      send([msg, { topic: `${msg.topic}/status`, payload: command }]);
      this.node.status(status.busy(this.tr('servo-command.status.sent', { command: describeCommand(command), device: deviceId })));
      tracker.track(command);
      done();
    } catch (err) {
      if (err instanceof ValidationError) metrics.commands.inc({ status: 'rejected' });
      this.kit.fail(done, err);
    }
  }

  /** Stops following commands (their timers). */
  async close(): Promise<void> {
    this.tracker.clear();
  }
}
