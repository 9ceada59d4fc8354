/**
 * camera-recorder: Node-RED glue. Records with ffmpeg on a trigger (see
 * recorder.ts), outputs a Recording and a metadata Reading, serves recordings
 * over HTTP (routes.ts) and applies retention (media.ts).
 */
import { errorMessage } from '../common/errors';
import { metrics } from '../common/metrics';
import { nodeKit } from '../common/node-kit';
import { dataDir, DoneFn, NodeAPI, NodeDef, NodeInstance, NodeMessage, SendFn } from '../common/red';
import { status } from '../common/status';
import { CameraConfig, parseConfig, parseTrigger, DEFAULTS } from './config';
import { FfmpegLocation, locateFfmpeg } from './locate';
import { mediaRoot, RetentionSweeper } from './media';
import { CameraRecorder, recordingReading, RecordingError } from './recorder';
import { registerRoutes } from './routes';
import { registerHealthRoutes } from '../common/health-plugin';
import { translator } from '../common/i18n';
import { editorDefaultsSetting } from '../common/editor-defaults';

interface Creds {
  username: string;
  password: string;
}

export = function (RED: NodeAPI) {
  registerHealthRoutes(RED);
  const tr = translator(RED, __dirname, 'camera-recorder');
  registerRoutes(RED.httpNode as never, () => mediaRoot(dataDir(RED)));

  RED.nodes.registerType(
    'camera-recorder',
    function (this: NodeInstance<Creds>, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const node = this;
      const kit = nodeKit(node, 'camera-recorder');
      let cfg: CameraConfig | undefined;
      let location: FfmpegLocation | undefined;
      let recorder: CameraRecorder | undefined;
      let setupError: Error | undefined;
      let ticker: NodeJS.Timeout | undefined;
      let closing = false;
      const root = mediaRoot(dataDir(RED));

      try {
        cfg = parseConfig(def);
        location = locateFfmpeg(cfg.ffmpegPath);
        recorder = new CameraRecorder(cfg, { location, mediaRoot: root, username: node.credentials.username, password: node.credentials.password });
        node.status(status.ok(tr('camera-recorder.status.ready', { origin: location.origin })));
        kit.health(true, `ffmpeg ${location.ffmpeg} (${location.origin})`);
      } catch (err) {
        setupError = err as Error;
        node.status(status.failed(errorMessage(err)));
        node.warn(errorMessage(err));
        kit.health(false, errorMessage(err));
      }

      const sweeper =
        cfg && recorder
          ? new RetentionSweeper({
              root,
              cameraId: cfg.cameraId,
              policy: { maxAgeDays: cfg.retentionDays, maxTotalBytes: cfg.retentionMaxMb * 1_048_576 },
              keep: () => (recorder?.current ? [recorder.current] : []),
              log: (t) => node.log(t),
              warn: (t) => node.warn(t),
            })
          : undefined;
      sweeper?.start();

      const tick = (): void => {
        if (ticker) clearInterval(ticker);
        const show = (): void => {
          if (recorder?.recording) node.status(status.busy(tr('camera-recorder.status.recording', { seconds: recorder.secondsLeft() })));
        };
        show();
        ticker = setInterval(show, 1000);
      };
      const stopTick = (): void => {
        if (ticker) clearInterval(ticker);
        ticker = undefined;
      };

      node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
        try {
          if (!cfg || !recorder) throw setupError || new Error(tr('camera-recorder.errors.notConfigured'));
          const trigger = parseTrigger(msg, cfg);
          const outcome = recorder.trigger(trigger);
          if (outcome.kind !== 'started') {
            if (outcome.kind === 'extended') node.status(status.busy(tr('camera-recorder.status.extended', { seconds: outcome.secondsLeft })));
            done();
            return;
          }
          tick();
          outcome.recording
            .then((rec) => {
              stopTick();
              metrics.recordings.inc({ result: closing ? 'closed' : 'ok' });
              node.status(
                status.ok(
                  tr('camera-recorder.status.last', {
                    seconds: rec.duration.toFixed(1),
                    mb: (rec.size / 1_048_576).toFixed(1),
                    size: `${rec.width ?? '?'}x${rec.height ?? '?'}`,
                  }),
                ),
              );
              kit.health(true, `last recording ${rec.duration.toFixed(1)} s`, { lastSizeBytes: rec.size });
              if (closing) return;
              sweeper?.sweep();
              msg.topic = `recordings/${rec.cameraId}`;
              msg.payload = rec;
              msg.recording = rec;
              send([msg, { topic: `sensors/${rec.cameraId}/recording`, payload: recordingReading(rec) }]);
            })
            .then(
              () => done(),
              (err: Error) => {
                stopTick();
                metrics.recordings.inc({ result: err instanceof RecordingError ? err.result : 'failed' });
                kit.health(false, errorMessage(err));
                kit.fail(done, err);
              },
            );
        } catch (err) {
          kit.fail(done, err);
        }
      });

      node.on('close', (_removed: boolean, done: () => void) => {
        closing = true;
        stopTick();
        sweeper?.stop();
        kit.clearHealth();
        const finish = (): void => {
          node.status(status.clear());
          done();
        };
        (recorder ? recorder.close() : Promise.resolve()).then(finish, finish);
      });
    },
    {
      settings: editorDefaultsSetting('camera-recorder', DEFAULTS),
      credentials: { username: { type: 'text' }, password: { type: 'password' } },
    },
  );
};
