/**
 * servo-command: Node-RED glue. Server mode turns requests into Commands on
 * commands/{deviceId}/servo and follows their acks; device mode drives a PWM
 * servo and publishes the acks. Logic lives in command.ts, tracker.ts, device.ts, pwm.ts.
 */
import { errorMessage, ValidationError } from '../common/errors';
import { metrics } from '../common/metrics';
import { DoneFn, NodeAPI, NodeDef, NodeInstance, NodeMessage, SendFn } from '../common/red';
import { status } from '../common/status';
import { compileTopic } from '../common/topic';
import type { Command } from '../common/types';
import { Ack, createCommand, isFinal, parseAck, parseRequest } from './command';
import { MinInterval } from './min-interval';
import { DEVICE_ID_RE, parseConfig, ServoConfig } from './config';
import { execute, parseReceived } from './device';
import { PwmServo } from './pwm';
import { CommandTracker, Transition } from './tracker';
import { registerHealthRoutes } from '../common/health-plugin';

const describe = (c: Command): string =>
  c.action === 'sweep' ? 'sweep' : `${(c.params.direction as string) || `${String(c.params.angle)}°`}`;

export = function (RED: NodeAPI) {
  registerHealthRoutes(RED);
  RED.nodes.registerType('servo-command', function (this: NodeInstance, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    let cfg: ServoConfig;
    try {
      cfg = parseConfig(def);
    } catch (err) {
      node.status(status.failed(errorMessage(err)));
      node.on('input', (_msg: NodeMessage, _send: SendFn, done: DoneFn) => done(err as Error));
      return;
    }
    const topic = compileTopic(cfg.topic);
    const ackTopic = compileTopic(cfg.ackTopic);
    const limiter = new MinInterval(cfg.rateLimitMs);
    if (cfg.mode === 'server') server(node, cfg, topic, ackTopic, limiter);
    else device(node, cfg, topic, ackTopic, limiter);
  });

  function server(node: NodeInstance, cfg: ServoConfig, topic: ReturnType<typeof compileTopic>, ackTopic: ReturnType<typeof compileTopic>, limiter: MinInterval): void {
    const report = ({ command, reason }: Transition): void => {
      if (isFinal(command.status)) metrics.commands.inc({ status: command.status });
      const text = `${command.status} ${describe(command)} → ${command.deviceId}${reason ? ` (${reason})` : ''}`;
      node.status(
        command.status === 'executed' ? status.ok(text) : command.status === 'failed' ? status.failed(text) : command.status === 'expired' ? status.degraded(text) : status.busy(text),
      );
      node.send([null, { topic: `${topic.render({ deviceId: command.deviceId })}/status`, payload: command, reason }]);
    };
    const tracker = new CommandTracker(report);
    node.status(status.ok('ready'));

    node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
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
        node.status(status.busy(`sent ${describe(command)} → ${deviceId}`));
        tracker.track(command);
        done();
      } catch (err) {
        if (err instanceof ValidationError) metrics.commands.inc({ status: 'rejected' });
        node.status(status.failed(errorMessage(err)));
        done(err as Error);
      }
    });
    node.on('close', (_removed: boolean, done: () => void) => {
      tracker.clear();
      done();
    });
  }

  function device(node: NodeInstance, cfg: ServoConfig, topic: ReturnType<typeof compileTopic>, ackTopic: ReturnType<typeof compileTopic>, limiter: MinInterval): void {
    const servo = new PwmServo({ root: cfg.pwmRoot, chip: cfg.pwmChip, channel: cfg.pwmChannel, periodNs: cfg.periodNs, minPulseUs: cfg.minPulseUs, maxPulseUs: cfg.maxPulseUs });
    let warned = false;
    let queue: Promise<unknown> = Promise.resolve();
    const absent = (): string | undefined => {
      if (servo.available()) return undefined;
      const reason = `PWM chip ${servo.chipDir} not found: no servo on this machine`;
      if (!warned) node.warn(`${reason} (enable PWM, e.g. dtoverlay=pwm, or set the sysfs root)`);
      warned = true;
      node.status(status.absent('no PWM chip'));
      return reason;
    };
    if (!absent()) node.status(status.ok(`ready · ${servo.chipDir}/pwm${cfg.pwmChannel}`));

    node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
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
        node.status(status.failed(errorMessage(err)));
        done(err as Error);
        return;
      }
      const cmd: Partial<Command> = { action: received.request.action, params: received.request.params, createdAt: received.createdAt, expiresAt: received.expiresAt };
      const missing = absent();
      const wait = missing ? 0 : limiter.take(deviceId, now);
      if (missing || wait > 0) {
        if (wait > 0) metrics.rateLimited.inc({ node: 'servo-command' });
        const ack: Ack = { id: received.id, status: 'failed', reason: missing || `rate limited: one command per ${cfg.rateLimitMs} ms`, ts: now };
        reply(ack);
        finalize(ack, cmd);
        done();
        return;
      }
      const job = queue.then(() => execute(servo, received, { centerAngle: cfg.centerAngle, sweepDwellMs: cfg.sweepDwellMs }, (ack) => {
        reply(ack);
        if (ack.status !== 'acknowledged') finalize(ack, cmd);
      }));
      queue = job.catch(() => undefined);
      job.then((ack) => {
        node.status(ack.status === 'executed' ? status.ok(`executed ${received.request.action === 'sweep' ? 'sweep' : `${ack.angle}°`}`) : status.failed(ack.reason || 'failed'));
      }).then(() => done(), done);
    });
    node.on('close', (_removed: boolean, done: () => void) => {
      queue.then(() => done(), () => done());
    });
  }
};
