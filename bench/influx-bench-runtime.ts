/**
 * Benchmark runtime (child process): a real Node-RED runtime embedded with
 * require('node-red') and a temporary userDir, running the flows the parent
 * passes in BENCH_FLOWS (a JSON file). Sends {ready} once flows started.
 */
import fs from 'fs';
import http from 'http';
import path from 'path';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const userDir = process.env.BENCH_USERDIR as string;
fs.mkdirSync(userDir, { recursive: true });
fs.copyFileSync(process.env.BENCH_FLOWS as string, path.join(userDir, 'flows.json'));

const RED = require('node-red');
RED.init(http.createServer(), {
  userDir,
  flowFile: 'flows.json',
  credentialSecret: false,
  httpAdminRoot: false,
  httpNodeRoot: false,
  disableEditor: true,
  nodesDir: [REPO_ROOT],
  logging: { console: { level: process.env.BENCH_LOG || 'error', metrics: false, audit: false } },
  editorTheme: { projects: { enabled: false } },
  diagnostics: { enabled: false },
  runtimeState: { enabled: false },
  externalModules: { autoInstall: false },
});

RED.start().then(
  () => process.send?.({ ready: true }),
  (err: Error) => {
    process.send?.({ ready: false, error: err.message });
    process.exit(1);
  },
);

process.on('message', (m: { stop?: boolean }) => {
  if (m.stop) RED.stop().finally(() => process.exit(0));
});
