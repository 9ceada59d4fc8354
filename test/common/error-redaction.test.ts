/**
 * Errors reach Catch nodes redacted, whichever node raised them: the package
 * installs one runtime hook (nodes/common/error-redaction.ts) when its nodes
 * load. A core function node reports an error holding a URL with a password,
 * an environment secret and a bearer token; the Catch node gets none of them.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { collect, helper, load, nodeModule, startServer, stopServer } from '../support/red';
import { redactError } from '../../nodes/common/error-redaction';

const catchNode = require('@node-red/nodes/core/common/25-catch.js');

const functionNode = require('@node-red/nodes/core/function/10-function.js');

const ENV_SECRET = 'env-webhook-secret-123';

before(async () => {
  process.env.WEBHOOK_SECRET = ENV_SECRET;
  await startServer();
});
after(async () => {
  delete process.env.WEBHOOK_SECRET;
  await stopServer();
});

test('redactError masks message, stack and cause without touching the shared cause object', () => {
  const cause = new Error('connect http://u:cause-pw@h failed');
  const e = { message: 'GET http://bob:pw-123@db/x failed', stack: 'Error: GET http://bob:pw-123@db/x failed\n at x', cause };
  redactError(e);
  assert.equal(e.message, 'GET http://bob:***@db/x failed');
  assert.doesNotMatch(e.stack, /pw-123/);
  assert.doesNotMatch(JSON.stringify(e.cause), /cause-pw/);
  assert.match(cause.message, /cause-pw/, 'the original Error is left as it was');
});

test('a Catch node receives the error of a core node with URL credentials, an env secret and a token masked', async () => {
  const flow = [
    { id: 'tab', type: 'tab', label: 't' },
    {
      id: 'fail',
      z: 'tab',
      type: 'function',
      wires: [[]],
      func: `node.error(new Error('POST http://writer:influx-pw-9@db:8086/write failed; secret ${ENV_SECRET}; Authorization: Bearer abcdefghijklmnop'), msg); return null;`,
    },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
  // Loading any node module of the package installs the hook.
  await load([nodeModule('threshold-alert'), catchNode, functionNode], flow);
  const got = collect('caught', 1);
  helper.getNode('fail').receive({ payload: 1 });
  const [msg] = await got;
  const text = JSON.stringify(msg.error);
  assert.match(msg.error.message, /http:\/\/writer:\*\*\*@db:8086\/write failed/);
  assert.doesNotMatch(text, /influx-pw-9/);
  assert.doesNotMatch(text, new RegExp(ENV_SECRET));
  assert.doesNotMatch(text, /abcdefghijklmnop/);
  assert.equal(msg.error.source.id, 'fail', 'the rest of the error is kept');
});
