/**
 * msg.payload as it arrives (Buffer, JSON string, number, or an object that an
 * mqtt-in node already parsed) -> a parsed value, with the size limit applied
 * before any parsing.
 */
import type { RejectCode } from './draft';
import { numericString } from './draft';

export type Parsed =
  /** `value` is a string for text payloads (`ON`, `Online`, `"°C"`): firmware decoders read it; `textCode` is the reject when none does. */
  { ok: true; value: unknown; textCode?: 'invalid_json' | 'unsupported_shape' } | { ok: false; code: RejectCode; message: string };

const fail = (code: RejectCode, message: string): Parsed => ({ ok: false, code, message });

/** Parses a payload; never throws. `maxBytes` applies to Buffers (bytes) and strings (characters). */
export function parsePayload(raw: unknown, maxBytes: number): Parsed {
  if (raw === undefined || raw === null) return fail('empty_payload', 'payload is empty');
  if (typeof raw === 'string') return parseText(raw, maxBytes);
  if (typeof raw === 'number') {
    return Number.isFinite(raw) ? { ok: true, value: raw } : fail('not_finite', `payload is ${raw}`);
  }
  if (typeof raw === 'boolean') return { ok: true, value: raw };
  if (typeof raw !== 'object') return fail('unsupported_type', `payload of type ${typeof raw} cannot be decoded`);
  if (raw instanceof Uint8Array) {
    if (raw.byteLength > maxBytes) return fail('too_large', `payload of ${raw.byteLength} bytes is over the ${maxBytes}-byte limit`);
    const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    return parseText(buf.toString('utf8'), maxBytes);
  }
  if (Array.isArray(raw)) return fail('unsupported_shape', 'payload is an array; send one reading per message');
  const proto = Object.getPrototypeOf(raw);
  if (proto !== Object.prototype && proto !== null) {
    return fail('unsupported_type', `payload is a ${proto?.constructor?.name ?? 'non-plain'} object, not plain JSON`);
  }
  return { ok: true, value: raw };
}

function parseText(text: string, maxBytes: number): Parsed {
  if (text.length > maxBytes) return fail('too_large', `payload of ${text.length} characters is over the ${maxBytes} limit`);
  let i = 0;
  while (i < text.length && text.charCodeAt(i) <= 32) i++;
  if (i === text.length) return fail('empty_payload', 'payload is empty');
  const c = text.charCodeAt(i);
  if (c === 123 /* { */ || c === 91 /* [ */ || c === 34 /* " */) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return fail('invalid_json', `payload is not valid JSON: ${(err as Error).message.slice(0, 120)}`);
    }
    if (Array.isArray(value)) return fail('unsupported_shape', 'payload is an array; send one reading per message');
    if (typeof value === 'string') {
      const n = numericString(value);
      return n === undefined ? { ok: true, value: value.length > 256 ? value.slice(0, 256) : value, textCode: 'unsupported_shape' } : { ok: true, value: n };
    }
    return { ok: true, value };
  }
  const n = numericString(text);
  if (n !== undefined) return Number.isFinite(n) ? { ok: true, value: n } : fail('not_finite', `payload ${text.trim()} is not finite`);
  const word = text.trim().toLowerCase();
  if (word === 'true') return { ok: true, value: true };
  if (word === 'false') return { ok: true, value: false };
  if (word === 'nan' || word === 'infinity' || word === '-infinity') return fail('not_finite', `payload is ${text.trim()}`);
  if (word === 'null') return fail('empty_payload', 'payload is null');
  // Plain text (`ON`, `Online`, an ESPHome text sensor): the decoders decide; unread text is an invalid_json reject.
  const trimmed = text.trim();
  return { ok: true, value: trimmed.length > 256 ? trimmed.slice(0, 256) : trimmed, textCode: 'invalid_json' };
}
