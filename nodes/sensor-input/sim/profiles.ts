/** The simulated device kinds, by the name used in the node's `profile` setting. */
import type { Profile } from './profile';
import { environmental } from './environmental';
import { activity } from './activity';
import { esp32 } from './esp32';
import { surveillance } from './surveillance';
import { raspberry } from './raspberry';
import { telemetry } from './telemetry';

export const PROFILES = { environmental, activity, esp32, surveillance, raspberry, telemetry } as const;

export type ProfileName = keyof typeof PROFILES;
export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

export function isProfileName(name: unknown): name is ProfileName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(PROFILES, name);
}

export function profile(name: ProfileName): Profile {
  return PROFILES[name];
}
