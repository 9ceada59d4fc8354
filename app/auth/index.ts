/** The app's one AuthGate, built from the environment on first use (settings.ts and start.ts share it). */
import type { AppEnv } from '../env';
import { AppUser, AuthGate, Role } from './gate';
import { loadUsers } from './users';

let gate: AuthGate | undefined;

export function appUsers(env: AppEnv, raw: NodeJS.ProcessEnv = process.env): AppUser[] {
  // ADMIN_USER / ADMIN_PASSWORD_HASH as readEnv saw them, the other roles and the users file beside them.
  return loadUsers({ ...raw, ADMIN_USER: env.adminUser, ADMIN_PASSWORD_HASH: env.adminPasswordHash }, env.dataDir);
}

export function appGate(env: AppEnv): AuthGate {
  if (!gate) gate = new AuthGate(appUsers(env));
  return gate;
}

/** Who is logged in on each dashboard socket (socket id -> user), filled by the socket's login check. */
export interface DashboardSession {
  username: string;
  role: Role;
  address?: string;
}
export const dashboardSessions = new Map<string, DashboardSession>();

/** Node-RED's adminAuth with the gate as its password check; only admins get the editor. */
export function editorAuth(g: AuthGate) {
  if (!g.enabled) return undefined;
  return {
    type: 'credentials',
    users: async (username: string) => (g.role(username) === 'admin' ? { username, permissions: '*' } : null),
    authenticate: async (username: string, password: string) => {
      // In the app, tokenGuard has just verified this pair with the caller's address; under a
      // plain `node-red --settings` there is no guard, and attempts count under one address.
      if (g.role(username) !== 'admin') return null;
      if (g.takeGrant(username, password)) return { username, permissions: '*' };
      const r = await g.login(username, password, 'node-red');
      return r.ok ? { username, permissions: '*' } : null;
    },
  };
}
