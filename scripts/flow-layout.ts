/**
 * Where the editor draws a flow's nodes, estimated as Node-RED 4.1's view
 * does (view.js: width from the label's text, 20 px steps, at least 100; 30
 * high, 15 per output), so a checker can refuse overlapping nodes without a
 * browser. Pure.
 */

export interface Box {
  id: string;
  label: string;
  /** Centre, as Node-RED stores x and y. */
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Average width of a character of the node label font (14 px Helvetica). */
export const CHAR_WIDTH = 7;

/** Types drawn as a plain square when their label is hidden (`l: false`, the default for link nodes). */
const HIDDEN_LABEL_BY_DEFAULT = new Set(['link in', 'link out', 'link call']);

/** The text the editor shows on a node: its name, else a label of its type. */
export function nodeLabel(n: Record<string, unknown>, typeLabel?: (n: Record<string, unknown>) => string | undefined): string {
  const own = typeof n.name === 'string' && n.name ? n.name : typeof n.label === 'string' && n.label ? n.label : undefined;
  return own || typeLabel?.(n) || String(n.type);
}

/** The box the editor draws for a node on a tab, or undefined for what it does not draw there (tabs, groups, config nodes). */
export function nodeBox(n: Record<string, unknown>, typeLabel?: (n: Record<string, unknown>) => string | undefined): Box | undefined {
  if (typeof n.x !== 'number' || typeof n.y !== 'number' || !n.z || n.type === 'group' || n.type === 'tab') return undefined;
  const id = String(n.id);
  const outputs = Array.isArray(n.wires) ? n.wires.length : 0;
  const h = Math.max(30, outputs * 15);
  if (n.type === 'junction') return { id, label: '', x: n.x, y: n.y, w: 10, h: 10 };
  const hidden = n.l === false || (n.l === undefined && HIDDEN_LABEL_BY_DEFAULT.has(String(n.type)));
  const label = nodeLabel(n, typeLabel);
  if (hidden) return { id, label, x: n.x, y: n.y, w: 30, h };
  const hasInput = !['inject', 'mqtt in', 'link in', 'catch', 'status', 'complete', 'comment', 'http in'].includes(String(n.type));
  const w = Math.max(100, 20 * Math.ceil((label.length * CHAR_WIDTH + 50 + (hasInput ? 7 : 0)) / 20));
  return { id, label, x: n.x, y: n.y, w, h };
}

/** Pairs of boxes that overlap (touching edges do not count). */
export function overlaps(boxes: Box[]): Array<[Box, Box]> {
  const out: Array<[Box, Box]> = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      if (Math.abs(a.x - b.x) * 2 < a.w + b.w && Math.abs(a.y - b.y) * 2 < a.h + b.h) out.push([a, b]);
    }
  }
  return out;
}
