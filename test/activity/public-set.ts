/**
 * The public labelled recordings in corpus/st-har-6hz.csv (STMicroelectronics'
 * human activities dataset, BSD-3-Clause; see corpus/README.md) as a
 * LabelledSample set: one device per recording, milli-g converted to m/s².
 */
import fs from 'fs';
import path from 'path';
import type { Activity } from '../../nodes/common/activity-classifier';
import type { LabelledSample } from './labelled-set';

const MG = 9.80665 / 1000;
/** Every 4th sample of a 26 Hz recording. */
export const PUBLIC_INTERVAL_MS = 4000 / 26;
const LABELS = new Set<Activity>(['stationary', 'walking', 'running']);

export function publicSet(file = path.join(__dirname, 'corpus', 'st-har-6hz.csv')): LabelledSample[] {
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  if (lines[0] !== 'recording,x_mg,y_mg,z_mg') throw new Error(`${file}: unexpected header ${lines[0]}`);
  const index = new Map<string, number>();
  const t0 = Date.UTC(2020, 3, 9);
  return lines.slice(1).map((line, i) => {
    const [recording, x, y, z] = line.split(',');
    const label = recording.split('_')[0] as Activity;
    if (!LABELS.has(label)) throw new Error(`${file}:${i + 2}: unknown label in ${recording}`);
    const k = index.get(recording) ?? 0;
    index.set(recording, k + 1);
    return { deviceId: recording, ts: t0 + Math.round(k * PUBLIC_INTERVAL_MS), x: Number(x) * MG, y: Number(y) * MG, z: Number(z) * MG, label };
  });
}
