/**
 * Saved flows written before our config node types got their own prefix
 * (`influxdb-config` and `smtp-config` are also names of other public
 * Node-RED modules, and two modules cannot register one type). A config node
 * of an old name is renamed only when one of our nodes refers to it, so a
 * node of another module that happens to share the old name is left alone.
 * Pure: used by the launcher before it starts Node-RED and by
 * `node-red-iot-migrate-flows` for a stock Node-RED's flow file.
 */

/** Old type -> new type. */
export const RENAMED_TYPES: Readonly<Record<string, string>> = {
  'influxdb-config': 'iot-influxdb-config',
  'smtp-config': 'iot-smtp-config',
};

/** Our node types that can refer to a renamed config node. */
const OUR_USERS = new Set(['influxdb-writer', 'influxdb-query', 'alert-notifier']);

export interface FlowNodeLike {
  id: string;
  type: string;
  [key: string]: unknown;
}

export interface MigrationResult<T> {
  nodes: T[];
  /** `<id>: <old> -> <new>` for each node renamed; empty when nothing changed. */
  renamed: string[];
  /** Nodes of an old name that none of our nodes uses (left as they were). */
  leftAlone: string[];
}

export function migrateFlow<T extends FlowNodeLike>(nodes: readonly T[]): MigrationResult<T> {
  const referenced = new Set<string>();
  for (const n of nodes) {
    if (!OUR_USERS.has(n.type)) continue;
    for (const v of Object.values(n)) if (typeof v === 'string') referenced.add(v);
  }
  const renamed: string[] = [];
  const leftAlone: string[] = [];
  const out = nodes.map((n) => {
    const to = RENAMED_TYPES[n.type];
    if (!to) return n;
    if (!referenced.has(n.id)) {
      leftAlone.push(`${n.id} (${n.type})`);
      return n;
    }
    renamed.push(`${n.id}: ${n.type} -> ${to}`);
    return { ...n, type: to };
  });
  return { nodes: out, renamed, leftAlone };
}
