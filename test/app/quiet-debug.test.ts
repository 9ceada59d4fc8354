/**
 * app/quiet-debug.ts: with DEBUG unset, `debug` loggers (mqtt-packet's parser among them)
 * are no-ops in the app's process; with DEBUG set, the package is left as it is.
 * Each case runs in a fresh node process, as `npm start` loads it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../../app/quiet-debug';

const QUIET = path.resolve(__dirname, '../../app/quiet-debug.js');
const probe = `
require(${JSON.stringify(QUIET)});
const createDebug = require('debug');
const parser = require.resolve('mqtt-packet/parser');
const log = createDebug('mqtt-packet:parser');
let wrote = 0;
const orig = process.stderr.write.bind(process.stderr);
process.stderr.write = (...a) => { wrote++; return orig(...a); };
log('a line %d', 1);
const Parser = require(parser);
const p = Parser.parser({ protocolVersion: 4 });
let packets = 0;
p.on('packet', () => packets++);
p.parse(Buffer.from([0x30, 0x05, 0x00, 0x01, 0x74, 0x68, 0x69]));
console.log(JSON.stringify({ quiet: !!createDebug.iotQuiet, real: 'useColors' in log, enabled: log.enabled, wrote, packets, enable: typeof createDebug.enable }));
`;
const run = (env: Record<string, string>) =>
  JSON.parse(
    execFileSync(process.execPath, ['-e', probe], {
      env: { PATH: process.env.PATH ?? '', ...env },
      cwd: path.resolve(__dirname, '../../..'),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  ) as { quiet: boolean; real: boolean; enabled: boolean; wrote: number; packets: number; enable: string };

test('DEBUG unset: loggers are silent no-ops, mqtt-packet still parses, the package API stays', () => {
  const r = run({});
  assert.deepEqual(r, { quiet: true, real: false, enabled: false, wrote: 0, packets: 1, enable: 'function' });
});

test('DEBUG set at start: the package is untouched and logs', () => {
  const r = run({ DEBUG: 'mqtt-packet:*' });
  assert.equal(r.quiet, false);
  assert.equal(r.real, true, 'a logger of the package itself');
  assert.equal(r.enabled, true);
  assert.ok(r.wrote >= 1, `it wrote ${r.wrote} lines`);
  assert.equal(r.packets, 1);
});

test('a silent logger has what callers of debug read', () => {
  const l = silentLogger('a');
  assert.equal(l.enabled, false);
  assert.equal(l.namespace, 'a');
  assert.equal(l.extend('b').namespace, 'a:b');
  assert.equal(l.extend('b', '/').namespace, 'a/b');
  assert.equal(l('x'), undefined);
  assert.equal(l.destroy(), true);
});
