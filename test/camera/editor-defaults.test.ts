/** The editor's defaults (the .html files) match DEFAULTS in the config modules. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import path from 'path';
import { DEFAULTS as CAMERA } from '../../nodes/camera-recorder/config';
import { DEFAULTS as SERVO } from '../../nodes/servo-command/config';
import { REPO_ROOT } from '../support/red';

function editorDefaults(file: string): Record<string, unknown> {
  const html = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
  const out: Record<string, unknown> = {};
  for (const m of html.matchAll(/^\s+(\w+): \{ value: ('[^']*'|-?\d+|true|false)/gm)) out[m[1]] = m[2].startsWith("'") ? m[2].slice(1, -1) : JSON.parse(m[2]);
  return out;
}

for (const [file, defaults] of [['nodes/camera-recorder/camera-recorder.html', CAMERA], ['nodes/servo-command/servo-command.html', SERVO]] as const) {
  test(`${path.basename(file)} defaults match the config module`, () => {
    const editor = editorDefaults(file);
    delete editor.name;
    assert.deepEqual(editor, { ...defaults });
  });
}
