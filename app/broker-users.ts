/**
 * Credentials of the embedded broker: the app's own (generated once, kept in
 * the data folder, file mode 0600) and the operators' and devices' (bcrypt
 * hashes in `<DATA_DIR>/mqtt-users.json` or MQTT_USERS_FILE).
 */
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import { DEVICE_NAME_RE } from './broker-acl';

export interface AppCredentials {
  username: string;
  password: string;
}

export const APP_CREDENTIALS_FILE = 'mqtt-app-credentials.json';
export const USERS_FILE = 'mqtt-users.json';

/** Reads the app's broker credentials, creating them on first start. */
export function appCredentials(dataDir: string): AppCredentials {
  const file = path.join(dataDir, APP_CREDENTIALS_FILE);
  try {
    const c = JSON.parse(fs.readFileSync(file, 'utf8')) as AppCredentials;
    if (typeof c.username === 'string' && typeof c.password === 'string' && c.password.length >= 16) return c;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file} is not readable JSON: delete it to make new credentials`);
  }
  const c = { username: 'iot-app', password: crypto.randomBytes(24).toString('base64url') };
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(c), { mode: 0o600 });
  return c;
}

export interface BrokerUserEntry {
  username: string;
  /** bcrypt hash of the password. */
  passwordHash: string;
  role: 'operator' | 'device';
}

/** The users file, checked; a missing file is no users. */
export function readBrokerUsers(file: string): BrokerUserEntry[] {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw new Error(`${file} must be JSON: [{"username", "passwordHash", "role": "operator"|"device"}]`);
  }
  if (!Array.isArray(list)) throw new Error(`${file} must hold an array of users`);
  return list.map((u: Partial<BrokerUserEntry>, i) => {
    if (!u || typeof u.username !== 'string' || !DEVICE_NAME_RE.test(u.username))
      throw new Error(`${file}: user ${i + 1} needs a username of letters, digits, _ . : -`);
    if (typeof u.passwordHash !== 'string' || !/^\$2[aby]\$\d\d\$/.test(u.passwordHash))
      throw new Error(`${file}: user ${u.username} needs a bcrypt passwordHash`);
    if (u.role !== 'operator' && u.role !== 'device') throw new Error(`${file}: user ${u.username} needs role "operator" or "device"`);
    return { username: u.username, passwordHash: u.passwordHash, role: u.role };
  });
}
