/**
 * The firmware corpus (test/payload-normalizer/corpus/<ecosystem>.json): real messages from each
 * ecosystem's docs, tests and issue trackers, with the Reading each must give. Shared by
 * corpus.test.ts, decoders/<ecosystem>.test.ts and bench/normalizer-corpus.ts (the per-ecosystem score).
 */
import { isDeepStrictEqual } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../nodes/payload-normalizer/config';
import { Normalizer, type Outcome } from '../../nodes/payload-normalizer/normalizer';

export const NOW = 1750000000000;

export interface CorpusMessage {
  name: string;
  /** Where the message was taken from. */
  source: string;
  topic: string;
  /** As published: an object is sent as JSON text, a string as is. */
  payload: unknown;
  config?: Record<string, unknown>;
  /** Messages the same normalizer hears first (Home Assistant discovery announcements), in order. */
  before?: Array<{ topic: string; payload: unknown }>;
  /** A layout the user configures (custom base topic, FullTopic, topic_prefix) or a topic the shipped flow does not subscribe to (statestream attributes). */
  notInShippedFlow?: boolean;
  /** The Reading (fields given are compared; `metrics` exactly, `metricsInclude` / `units` / `tags` as subsets, `event` by type). */
  expected?: Record<string, any>;
  /** True when the message must be dropped as carrying no reading. */
  ignored?: boolean;
  reject?: string;
}

export interface Corpus {
  ecosystem: string;
  messages: CorpusMessage[];
}

const DIR = path.join(__dirname, 'corpus');

export function loadCorpora(dir = DIR): Corpus[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Corpus);
}

/** One ecosystem's corpus (corpus/<ecosystem>.json), run by its decoder's test (decoders/<ecosystem>.test.ts). */
export function loadCorpus(ecosystem: string, dir = DIR): Corpus {
  return JSON.parse(fs.readFileSync(path.join(dir, `${ecosystem}.json`), 'utf8')) as Corpus;
}

/** What an MQTT input gives the normalizer: the bytes of the published text. */
export function wire(m: { payload: unknown }): Buffer {
  return Buffer.from(typeof m.payload === 'string' ? m.payload : JSON.stringify(m.payload), 'utf8');
}

const close = (a: unknown, b: unknown): boolean =>
  typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)) : isDeepStrictEqual(a, b);

function subset(got: Record<string, unknown> | undefined, want: Record<string, unknown>, what: string): string | undefined {
  for (const [k, v] of Object.entries(want)) if (!close(got?.[k], v)) return `${what}.${k}: got ${JSON.stringify(got?.[k])}, want ${JSON.stringify(v)}`;
  return undefined;
}

/** '' when the outcome is what the corpus says, else why not. */
export function check(m: CorpusMessage, out: Outcome): string {
  if (m.ignored) return out.kind === 'ignored' ? '' : `want ignored, got ${describe(out)}`;
  if (m.reject) return out.kind === 'reject' && out.code === m.reject ? '' : `want reject ${m.reject}, got ${describe(out)}`;
  if (out.kind !== 'reading') return `want a reading, got ${describe(out)}`;
  const r = out.reading as unknown as Record<string, any>;
  const e = m.expected ?? {};
  for (const key of ['deviceId', 'sensorType', 'ts'])
    if (e[key] !== undefined && r[key] !== e[key]) return `${key}: got ${JSON.stringify(r[key])}, want ${JSON.stringify(e[key])}`;
  if (e.metrics) {
    const got = Object.keys(r.metrics).sort().join(',');
    const want = Object.keys(e.metrics).sort().join(',');
    if (got !== want) return `metric names: got ${got}, want ${want}`;
  }
  const diff =
    (e.metrics && subset(r.metrics, e.metrics, 'metrics')) ||
    (e.metricsInclude && subset(r.metrics, e.metricsInclude, 'metrics')) ||
    (e.units && subset(r.units, e.units, 'units')) ||
    (e.tags && subset(r.tags, e.tags, 'tags'));
  if (diff) return diff;
  if (e.event === null && r.event !== undefined) return `want no event, got ${r.event.type}`;
  if (e.event) {
    if (r.event?.type !== e.event.type) return `event.type: got ${r.event?.type}, want ${e.event.type}`;
    if (e.event.data) return subset(r.event.data, e.event.data, 'event.data') ?? '';
  }
  return '';
}

function describe(o: Outcome): string {
  return o.kind === 'reject' ? `reject ${o.code} (${o.message})` : o.kind === 'ignored' ? `ignored (${o.reason})` : o.kind;
}

/** Runs one message through a fresh normalizer with the message's config (defaults otherwise), after its `before` messages. */
export function run(m: CorpusMessage): Outcome {
  const n = new Normalizer(parseConfig({ dedupeWindow: 0, ...(m.config ?? {}) }));
  for (const b of m.before ?? []) n.normalize(b.topic, wire(b), NOW);
  return n.normalize(m.topic, wire(m), NOW);
}

/** Per ecosystem: messages, passes and the failures with their reasons. */
export function score(corpora = loadCorpora()): Array<{ ecosystem: string; total: number; passed: number; failures: string[] }> {
  return corpora.map((c) => {
    const failures: string[] = [];
    for (const m of c.messages) {
      const why = check(m, run(m));
      if (why) failures.push(`${m.name}: ${why}`);
    }
    return { ecosystem: c.ecosystem, total: c.messages.length, passed: c.messages.length - failures.length, failures };
  });
}
