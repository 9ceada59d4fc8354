import assert from 'node:assert/strict';
import test from 'node:test';
import { migrateFlow } from '../../nodes/common/type-migrations';

test('old config node types used by our nodes are renamed; others are left alone', () => {
  const nodes = [
    { id: 'db', type: 'influxdb-config', url: 'http://h:8086' },
    { id: 'mail', type: 'smtp-config', url: '' },
    { id: 'theirs', type: 'influxdb-config' }, // another module's node of the same name
    { id: 'w', type: 'influxdb-writer', z: 't', influx: 'db' },
    { id: 'n', type: 'alert-notifier', z: 't', smtp: 'mail' },
    { id: 'x', type: 'their-writer', z: 't', server: 'theirs' },
  ];
  const out = migrateFlow(nodes);
  assert.deepEqual(
    out.nodes.map((n) => n.type),
    ['iot-influxdb-config', 'iot-smtp-config', 'influxdb-config', 'influxdb-writer', 'alert-notifier', 'their-writer'],
  );
  assert.deepEqual(out.renamed, ['db: influxdb-config -> iot-influxdb-config', 'mail: smtp-config -> iot-smtp-config']);
  assert.deepEqual(out.leftAlone, ['theirs (influxdb-config)']);
  assert.equal(nodes[0].type, 'influxdb-config', 'the input is not modified');
  assert.deepEqual(migrateFlow(out.nodes).renamed, [], 'a second run changes nothing');
});
