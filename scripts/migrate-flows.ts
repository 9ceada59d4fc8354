#!/usr/bin/env node
/**
 * `npx node-red-iot-migrate-flows [flow file]`: renames our config node types
 * in a saved Node-RED flow file (influxdb-config -> iot-influxdb-config,
 * smtp-config -> iot-smtp-config), keeping the old file as <file>.bak.
 * Default file: ~/.node-red/flows.json. Stop Node-RED first, restart after.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { migrateFlow } from '../nodes/common/type-migrations';

export function migrateFile(file: string): { renamed: string[]; leftAlone: string[] } {
  const nodes = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(nodes)) throw new Error(`${file} does not hold a flow (an array of nodes)`);
  const result = migrateFlow(nodes);
  if (result.renamed.length) {
    fs.copyFileSync(file, `${file}.bak`);
    fs.writeFileSync(file, JSON.stringify(result.nodes, null, 4));
  }
  return result;
}

if (require.main === module) {
  const file = path.resolve(process.argv[2] || path.join(os.homedir(), '.node-red', 'flows.json'));
  try {
    const { renamed, leftAlone } = migrateFile(file);
    for (const r of renamed) console.log(`renamed ${r}`);
    for (const l of leftAlone) console.log(`left alone (not used by our nodes): ${l}`);
    console.log(renamed.length ? `${file}: ${renamed.length} node(s) renamed, previous file kept as ${file}.bak` : `${file}: nothing to migrate`);
  } catch (err) {
    console.error(`node-red-iot-migrate-flows: ${(err as Error).message}`);
    process.exit(1);
  }
}
