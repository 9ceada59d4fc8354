/**
 * A short random id kept in the data directory: it tells apart two installs
 * that run the same flows against one broker (their persistent MQTT sessions
 * would otherwise share client ids and take each other's session).
 */
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';

const FILE = 'install-id';
const cache = new Map<string, string>();

/** The install's id (8 hex digits), made on first use; '' when the folder cannot be written. */
export function installId(dir: string): string {
  const known = cache.get(dir);
  if (known !== undefined) return known;
  const file = path.join(dir, FILE);
  let id = '';
  try {
    id = fs.readFileSync(file, 'utf8').trim();
  } catch {
    /* first start */
  }
  if (!/^[0-9a-f]{8}$/.test(id)) {
    id = crypto.randomBytes(4).toString('hex');
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(file, `${id}\n`);
    } catch {
      id = ''; // read-only: fall back to the node id alone, as before
    }
  }
  cache.set(dir, id);
  return id;
}
