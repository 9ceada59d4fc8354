/** Keeps secrets out of logs, statuses, errors and delivery results. */

const MASK = '***';

/** Hides the password part of every `scheme://user:pass@host` in the text. */
export function redactUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^\s:/@]*):([^\s/@]*)@/gi, (_m, scheme: string, user: string) => `${scheme}${user}:${MASK}@`);
}

/**
 * Text safe to show: URL passwords hidden and every known secret (passwords,
 * HMAC keys, tokens) replaced, also in its URL-encoded form.
 */
export function redact(text: unknown, secrets: ReadonlyArray<string | undefined> = []): string {
  let out = redactUrls(typeof text === 'string' ? text : text instanceof Error ? text.message : String(text));
  for (const s of secrets) {
    // Very short values would mask ordinary words; such secrets are rejected elsewhere.
    if (!s || s.length < 3) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join(MASK);
  }
  return out;
}
