/**
 * The app's HTTP logins and their roles: admin (the editor and everything),
 * operator (dashboard and API control: ack, resolve, arm, commands, rules),
 * viewer (dashboard and API read-only). From the environment
 * (ADMIN_/OPERATOR_/VIEWER_USER and _PASSWORD_HASH) and from a users file
 * (APP_USERS_FILE, default <DATA_DIR>/users.json):
 * `[{"username": "ana", "passwordHash": "$2b$10$...", "role": "operator"}]`.
 */
import fs from 'fs';
import path from 'path';
import type { AppUser, Role } from './gate';

export const ROLES: readonly Role[] = ['admin', 'operator', 'viewer'];
export const USERS_FILE_NAME = 'users.json';

const HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
const NAME = /^[^\s:]{1,100}$/;

/** One entry checked; `where` names its source in the error. */
function check(u: { username?: unknown; passwordHash?: unknown; role?: unknown }, where: string): AppUser {
  if (typeof u.username !== 'string' || !NAME.test(u.username))
    throw new Error(`${where}: username must be 1 to 100 characters without spaces or ":", got ${JSON.stringify(u.username)}`);
  if (typeof u.passwordHash !== 'string' || !HASH.test(u.passwordHash))
    throw new Error(`${where}: passwordHash of ${u.username} must be a bcrypt hash ($2b$10$...)`);
  if (typeof u.role !== 'string' || !ROLES.includes(u.role as Role))
    throw new Error(`${where}: role of ${u.username} must be one of ${ROLES.join(', ')}, got ${JSON.stringify(u.role)}`);
  return { username: u.username, hash: u.passwordHash, role: u.role as Role };
}

/** Users of a users file's text; throws naming the file and the entry. */
export function parseUsersFile(text: string, file: string): AppUser[] {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(list)) throw new Error(`${file} must hold a JSON array of {username, passwordHash, role}`);
  return list.map((u, i) => check((u || {}) as Record<string, unknown>, `${file} entry ${i + 1}`));
}

/** Users of the environment: the single-user variables of earlier versions stay the admin. */
export function envUsers(env: NodeJS.ProcessEnv): AppUser[] {
  const out: AppUser[] = [];
  for (const role of ROLES) {
    const hash = env[`${role.toUpperCase()}_PASSWORD_HASH`];
    if (!hash) continue;
    out.push(check({ username: env[`${role.toUpperCase()}_USER`] || role, passwordHash: hash, role }, `${role.toUpperCase()}_PASSWORD_HASH`));
  }
  return out;
}

/** Where the users file is read from. */
export function usersFilePath(env: NodeJS.ProcessEnv, dataDir: string): string {
  return env.APP_USERS_FILE ? path.resolve(env.APP_USERS_FILE) : path.join(dataDir, USERS_FILE_NAME);
}

/**
 * Every login: the environment's, then the file's. A named APP_USERS_FILE must
 * exist; the default one may be absent. A user name given twice is an error.
 */
export function loadUsers(env: NodeJS.ProcessEnv, dataDir: string): AppUser[] {
  const users = envUsers(env);
  const file = usersFilePath(env, dataDir);
  let text: string | undefined;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || env.APP_USERS_FILE)
      throw new Error(`APP_USERS_FILE ${file} cannot be read: ${(err as Error).message}`);
  }
  if (text !== undefined) users.push(...parseUsersFile(text, file));
  const seen = new Set<string>();
  for (const u of users) {
    if (seen.has(u.username)) throw new Error(`user ${u.username} is defined twice (environment and ${file})`);
    seen.add(u.username);
  }
  return users;
}
