/** Starts the real app (dist/app/start.js) as a child process on free ports. */
import { spawn, ChildProcess } from 'child_process';
import fs from 'fs';
import path from 'path';
import { freePort, tempDir, waitForHttp } from './services';
import { REPO_ROOT } from './red';

export interface RunningApp {
  url: string;
  port: number;
  mqttUrl: string;
  /** The embedded broker's MQTT-over-WebSocket URL. */
  mqttWsUrl: string;
  dataDir: string;
  proc: ChildProcess;
  log(): string;
  /** The embedded broker's login of the app itself (generated into the data folder): for control and command topics. */
  mqttAppLogin(): { username: string; password: string };
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts the app and waits until /health/live answers. */
export async function startApp(env: Record<string, string> = {}): Promise<RunningApp> {
  const app = await spawnApp(env);
  const exited = new Promise<never>((_, reject) => app.proc.once('exit', (code) => reject(new Error(`app exited with ${code}:\n${app.log()}`))));
  await Promise.race([waitForHttp(`${app.url}/health/live`, 60_000), exited]);
  return app;
}

/** Spawns the app and returns at once (before it listens): for probes from the first millisecond. */
export async function spawnApp(env: Record<string, string> = {}): Promise<RunningApp> {
  const port = await freePort();
  const mqttPort = await freePort();
  const wsPort = await freePort();
  const dataDir = env.DATA_DIR || tempDir('app');
  const proc = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'app', 'start.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      MQTT_EMBEDDED_PORT: String(mqttPort),
      MQTT_EMBEDDED_WS_PORT: String(wsPort),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d) => (out += d));
  proc.stderr?.on('data', (d) => (out += d));
  const app: RunningApp = {
    url: `http://127.0.0.1:${port}`,
    port,
    mqttUrl: env.MQTT_URL || `mqtt://127.0.0.1:${mqttPort}`,
    mqttWsUrl: `ws://127.0.0.1:${env.MQTT_EMBEDDED_WS_PORT || wsPort}/mqtt`,
    dataDir,
    proc,
    log: () => out,
    mqttAppLogin: () => JSON.parse(fs.readFileSync(path.join(dataDir, 'mqtt-app-credentials.json'), 'utf8')),
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve(proc.exitCode);
        const kill = setTimeout(() => proc.kill('SIGKILL'), 40_000);
        proc.once('exit', (code) => {
          clearTimeout(kill);
          resolve(code);
        });
        proc.kill('SIGTERM');
      }),
  };
  return app;
}
