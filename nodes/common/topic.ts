/**
 * MQTT topic templates such as `sensors/{deviceId}/{sensorType}`, with `+` and `#`
 * wildcards. Compiled once per node; matching is a regular expression test.
 */
export interface TopicTemplate {
  /** The MQTT subscription filter equivalent (placeholders become `+`). */
  readonly filter: string;
  /** Named values captured from the topic, or null when it does not match. */
  match(topic: string): Record<string, string> | null;
  /** Builds a topic from values; throws when a value is missing or holds `/`, `+` or `#`. */
  render(values: Record<string, string>): string;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compileTopic(template: string): TopicTemplate {
  const levels = template.split('/');
  const names: string[] = [];
  const parts = levels.map((level, i) => {
    const named = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(level);
    if (named) {
      names.push(named[1]);
      return '([^/]+)';
    }
    if (level === '+') return '[^/]+';
    if (level === '#') {
      if (i !== levels.length - 1) throw new Error(`'#' must be the last level of topic template "${template}"`);
      return '.*';
    }
    if (/[{}+#]/.test(level)) throw new Error(`invalid level "${level}" in topic template "${template}"`);
    return escapeRe(level);
  });
  let source = parts.join('/');
  // `a/#` also matches `a` itself, as in MQTT.
  if (levels[levels.length - 1] === '#' && levels.length > 1) source = `${parts.slice(0, -1).join('/')}(?:/.*)?`;
  const re = new RegExp(`^${source}$`);
  const filter = levels.map((l) => (/^\{.*\}$/.test(l) ? '+' : l)).join('/');
  return {
    filter,
    match(topic) {
      const m = re.exec(topic);
      if (!m) return null;
      const out: Record<string, string> = Object.create(null);
      names.forEach((n, i) => (out[n] = m[i + 1]));
      return out;
    },
    render(values) {
      return levels
        .map((level) => {
          const named = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(level);
          if (!named) return level;
          const v = values[named[1]];
          if (typeof v !== 'string' || v === '' || /[/+#]/.test(v) || v.includes('\0')) {
            throw new Error(`topic value "${named[1]}" must be a non-empty string without / + #`);
          }
          return v;
        })
        .join('/');
    },
  };
}

/** Validates one MQTT topic filter; returns an error text or undefined. */
export function filterError(filter: string): string | undefined {
  if (!filter) return 'empty topic filter';
  if (Buffer.byteLength(filter) > 65535) return 'topic filter longer than 65535 bytes';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i];
    if (l.includes('#') && (l !== '#' || i !== levels.length - 1)) return `"${filter}": # must be a whole last level`;
    if (l.includes('+') && l !== '+') return `"${filter}": + must be a whole level`;
  }
  return filter.includes('\0') ? `"${filter}": holds a NUL character` : undefined;
}

/**
 * Whether the filter `pattern` covers every topic `filter` (a topic, or a subscription
 * filter) can match: for a plain topic, whether the pattern matches it. A `$` topic
 * (`$SYS/...`) is never matched by a wildcard at the first level (MQTT 3.1.1, 4.7.2).
 */
export function covered(pattern: string, filter: string): boolean {
  const p = pattern.split('/');
  const f = filter.split('/');
  if (filter.startsWith('$') && !pattern.startsWith('$')) return false;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '#') return true;
    if (i >= f.length) return false;
    if (f[i] === '#') return false;
    if (p[i] === '+') continue;
    if (f[i] === '+' || p[i] !== f[i]) return false;
  }
  return p.length === f.length;
}
