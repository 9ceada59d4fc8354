/** The iot-smtp-config node in the test helper: the target it hands to notifiers, and a bad setting reported without its password. */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { SmtpConfigNode } from '../../nodes/alert-notifier/smtp-settings';
import { helper, load, startServer, stopServer } from '../support/red';

const nodes = [require('../../nodes/alert-notifier/smtp-config')];
const config = (over: Record<string, unknown>) => [
  {
    id: 'smtp',
    type: 'iot-smtp-config',
    name: 'mail',
    url: '',
    host: '',
    port: 587,
    security: 'starttls',
    from: 'a@x',
    verifyTls: true,
    configVersion: 1,
    ...over,
  },
];

before(startServer);
afterEach(() => helper.unload());
after(stopServer);

test('a server host gives an SMTP target with the credentials', async () => {
  await load(nodes, config({ host: 'mail.test.local', port: 2525 }), { smtp: { user: 'u', password: 'secret-pw' } });
  const t = (helper.getNode('smtp') as SmtpConfigNode).target();
  assert.equal(t.kind, 'smtp');
  assert.equal(t.from, 'a@x');
  assert.equal(t.describe, 'smtp mail.test.local:2525 (starttls)');
  assert.deepEqual(t.kind === 'smtp' && t.options.auth, { user: 'u', pass: 'secret-pw' });
});

test('no host and no URL: the .eml folder', async () => {
  await load(nodes, config({}));
  assert.equal((helper.getNode('smtp') as SmtpConfigNode).target().kind, 'folder');
});

test('unusable settings: target() throws the reason with the node name, never the password', async () => {
  await load(nodes, config({ url: 'smtp://u:hunter2-secret@/' }));
  const node = helper.getNode('smtp') as SmtpConfigNode;
  assert.throws(
    () => node.target(),
    (e: unknown) => e instanceof Error && /^iot-smtp-config "mail": /.test(e.message) && !e.message.includes('hunter2-secret'),
  );
  await helper.unload();
  await load(nodes, config({ url: 'ftp://host' }));
  assert.throws(() => (helper.getNode('smtp') as SmtpConfigNode).target(), /must start with smtp:\/\/ or smtps:\/\/, got "ftp:\/\/"/);
});
