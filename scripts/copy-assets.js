#!/usr/bin/env node
// Copies what tsc does not emit (editor .html files, icons, locales, fixtures)
// next to the compiled JavaScript, so dist/ is what Node-RED loads.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const copied = [];

function copyTree(srcDir, dstDir, keep) {
  if (!fs.existsSync(srcDir)) return;
  for (const entry of fs.readdirSync(srcDir, { withFileTypes: true })) {
    const src = path.join(srcDir, entry.name);
    const dst = path.join(dstDir, entry.name);
    if (entry.isDirectory()) {
      copyTree(src, dst, keep);
    } else if (keep(src)) {
      fs.mkdirSync(dstDir, { recursive: true });
      fs.copyFileSync(src, dst);
      copied.push(path.relative(root, dst));
    }
  }
}

const notTs = (f) => !f.endsWith('.ts');
copyTree(path.join(root, 'nodes'), path.join(root, 'dist', 'nodes'), notTs);
// test/helper-example/ is mocha's (npm run test:mocha, from the source tree): node --test must not run it.
const helperExample = path.join(root, 'test', 'helper-example');
copyTree(path.join(root, 'test'), path.join(root, 'dist', 'test'), (f) => notTs(f) && !f.startsWith(helperExample + path.sep));
fs.rmSync(path.join(root, 'dist', 'test', 'helper-example'), { recursive: true, force: true });
copyTree(path.join(root, 'app'), path.join(root, 'dist', 'app'), notTs);
if (process.env.COPY_ASSETS_VERBOSE) console.log(copied.join('\n'));
