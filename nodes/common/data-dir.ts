/**
 * Where nodes keep their files (alert state, notifier outbox, writer spool,
 * camera media, MQTT ack receipts, install id). Never the current directory:
 * a test run or a second Node-RED started elsewhere would pick up old state.
 *
 * In order: the `iotDataDir` runtime setting (settings.js), Node-RED's user
 * directory (always set by a stock Node-RED; the launcher sets it to
 * DATA_DIR), the `DATA_DIR` environment variable, else, as under
 * node-red-node-test-helper which has no user directory, a temporary folder
 * made once per process and removed when it exits. Tests pick their own
 * folder with `helper.settings({ userDir })` (or `iotDataDir`).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';

export interface DataDirSettings {
  iotDataDir?: unknown;
  userDir?: unknown;
}

let temp: string | undefined;

/** The per-process temporary folder (made on first use, removed at exit). */
export function tempDataDir(): string {
  if (!temp) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-red-iot-'));
    temp = dir;
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return temp;
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

export function resolveDataDir(settings: DataDirSettings, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = text(settings.iotDataDir) || text(settings.userDir) || text(env.DATA_DIR);
  return chosen ? path.resolve(chosen) : tempDataDir();
}
