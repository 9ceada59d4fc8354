/**
 * One status vocabulary for every node: green dot ok, blue dot busy, yellow ring
 * degraded, red ring failed, grey ring hardware absent.
 */
export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

import { redact } from './redact';

const MAX_TEXT = 60;
// Redacted before clipping, so a cut cannot leave half a secret unrecognised.
const clip = (raw: string): string => {
  const text = redact(raw);
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
};

export const status = {
  ok: (text: string): NodeStatus => ({ fill: 'green', shape: 'dot', text: clip(text) }),
  busy: (text: string): NodeStatus => ({ fill: 'blue', shape: 'dot', text: clip(text) }),
  degraded: (text: string): NodeStatus => ({ fill: 'yellow', shape: 'ring', text: clip(text) }),
  failed: (text: string): NodeStatus => ({ fill: 'red', shape: 'ring', text: clip(text) }),
  absent: (text: string): NodeStatus => ({ fill: 'grey', shape: 'ring', text: clip(text) }),
  clear: (): NodeStatus => ({}),
};
