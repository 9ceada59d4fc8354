/** Table-driven: every seed payload and the beyond-seed shapes, from fixtures/*.json. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseConfig } from '../../nodes/payload-normalizer/config';
import { Normalizer } from '../../nodes/payload-normalizer/normalizer';

const NOW = 1750000000000;

interface Fixture {
  name: string;
  topic: string;
  payload: unknown;
  /** How the payload reaches the node: parsed object (default for objects), JSON text, or bytes. */
  payloadType?: 'object' | 'string' | 'buffer';
  config?: Record<string, unknown>;
  decoder?: string;
  expected?: Record<string, unknown>;
  reject?: string;
}

function fixtures(file: string): Fixture[] {
  return JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', file), 'utf8')) as Fixture[];
}

function input(f: Fixture): unknown {
  const text = typeof f.payload === 'string' ? f.payload : JSON.stringify(f.payload);
  if (f.payloadType === 'buffer') return Buffer.from(text, 'utf8');
  if (f.payloadType === 'string' || typeof f.payload === 'string') return text;
  return JSON.parse(text); // a fresh object, as an mqtt-in node that parses JSON would give
}

function normalizerFor(f: Fixture): Normalizer {
  return new Normalizer(parseConfig(f.config ?? {}));
}

/** Checks the contract on every reading, whatever the fixture says. */
function assertContract(r: Record<string, any>): void {
  assert.equal(typeof r.deviceId, 'string');
  assert.ok(r.deviceId.length > 0);
  assert.equal(typeof r.sensorType, 'string');
  assert.ok(Number.isFinite(r.ts));
  assert.equal(r.received, NOW);
  assert.ok(Object.keys(r.metrics).length > 0, 'a reading has metrics');
  for (const [k, v] of Object.entries(r.metrics)) {
    assert.ok(typeof v === 'number' && Number.isFinite(v), `metric ${k} is a finite number`);
    assert.match(k, /^[a-z0-9][a-z0-9_]*$/, `metric name ${k} is snake_case`);
  }
  for (const v of Object.values(r.tags ?? {})) assert.equal(typeof v, 'string');
  for (const v of Object.values(r.units ?? {})) assert.equal(typeof v, 'string');
  assert.equal(Object.getPrototypeOf(r.metrics), Object.prototype);
  assert.equal(({} as any).polluted, undefined, 'Object.prototype untouched');
}

for (const file of ['seeds.json', 'beyond-seeds.json']) {
  describe(`fixtures/${file}`, () => {
    for (const f of fixtures(file)) {
      test(f.name, () => {
        const out = normalizerFor(f).normalize(f.topic, input(f), NOW);
        assert.equal(out.kind, 'reading', out.kind === 'reject' ? `rejected: ${out.code}: ${out.message}` : out.kind);
        if (out.kind !== 'reading') return;
        if (f.decoder) assert.equal(out.decoder, f.decoder);
        const r = out.reading as unknown as Record<string, any>;
        assertContract(r);
        for (const [key, want] of Object.entries(f.expected ?? {})) {
          if (key === 'event' && (want as any).id === '<generated>') {
            const { id, ...rest } = r.event;
            assert.match(id, /^gen-[a-z0-9]+-[a-z0-9]+-[a-z0-9]+$/, 'generated event id');
            const { id: _ignored, ...wantRest } = want as Record<string, unknown>;
            assert.deepEqual(rest, wantRest);
          } else if (want === null) {
            assert.equal(r[key], undefined, `reading.${key} is absent`);
          } else {
            assert.deepEqual(r[key], want, `reading.${key}`);
          }
        }
      });
    }
  });
}

describe('fixtures/rejects.json', () => {
  for (const f of fixtures('rejects.json')) {
    test(f.name, () => {
      const out = normalizerFor(f).normalize(f.topic, input(f), NOW);
      assert.equal(out.kind, 'reject', `expected a reject, got ${out.kind}`);
      if (out.kind !== 'reject') return;
      assert.equal(out.code, f.reject);
      assert.ok(out.message.length > 5, 'reject has a readable message');
    });
  }
});

test('every fixture file has cases and every seed decoder is covered', () => {
  const seeds = fixtures('seeds.json');
  const decoders = new Set(seeds.map((f) => f.decoder).filter(Boolean));
  for (const name of ['flat', 'esp32', 'event', 'metrics-array']) assert.ok(decoders.has(name), `seed fixtures cover ${name}`);
  assert.ok(fixtures('beyond-seeds.json').length >= 20);
  assert.ok(fixtures('rejects.json').length >= 20);
});
