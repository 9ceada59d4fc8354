/**
 * Reading the device registry where names are shown (the notifier's texts;
 * the dashboard functions do the same in their own code): what global context
 * `iotRegistry` holds, whatever put it there. No node-red import.
 */
import { hasControlChar } from './control-chars';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a lookup answers: every field present, '' when not set. */
export interface DeviceInfo {
  id: string;
  name: string;
  location: string;
  type: string;
  owner: string;
}

/**
 * The registered fields of `id` from what global context `iotRegistry` holds:
 * a DeviceRegistry (the app's), anything with `get(id)`, or a plain object
 * id -> {name, location, ...} that a flow set. Undefined when unknown.
 */
export function deviceInfo(source: unknown, id: string): DeviceInfo | undefined {
  if (!source || typeof source !== 'object' || typeof id !== 'string') return undefined;
  let v: unknown;
  const getter = (source as { get?: unknown }).get;
  if (typeof getter === 'function') {
    try {
      v = getter.call(source, id);
    } catch {
      return undefined;
    }
  } else if (Object.prototype.hasOwnProperty.call(source, id)) {
    v = (source as Record<string, unknown>)[id];
  }
  if (!isObj(v)) return undefined;
  // A flow's object is not checked as the registry's entries are: control characters become spaces.
  const text = (x: unknown): string => {
    if (typeof x !== 'string') return '';
    const t = x.length > 200 ? x.slice(0, 200) : x;
    return (hasControlChar(t, true) ? [...t].map((c) => (hasControlChar(c, true) ? ' ' : c)).join('') : t).trim();
  };
  return { id, name: text(v.name), location: text(v.location), type: text(v.type), owner: text(v.owner) };
}

/** How people read a device: `Name (id) · Location`, parts left out when not set. */
export function deviceLabel(id: string, info?: DeviceInfo): string {
  const who = info?.name ? `${info.name} (${id})` : id;
  return info?.location ? `${who} · ${info.location}` : who;
}
