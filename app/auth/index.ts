/** The app's one AuthGate, built from the environment on first use (settings.ts and start.ts share it). */
import type { AppEnv } from '../env';
import { AppUser, AuthGate } from './gate';

let gate: AuthGate | undefined;

export function appUsers(env: AppEnv): AppUser[] {
  return env.adminPasswordHash ? [{ username: env.adminUser, hash: env.adminPasswordHash, role: 'admin' }] : [];
}

export function appGate(env: AppEnv): AuthGate {
  if (!gate) gate = new AuthGate(appUsers(env));
  return gate;
}

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
