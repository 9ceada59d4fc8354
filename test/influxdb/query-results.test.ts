/** Query results as rows and ui-chart points. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRequest } from '../../nodes/influxdb/queries';
import { chartPoints, rowsFromFlux, rowsFromInfluxQL } from '../../nodes/influxdb/query-results';

test('results become rows and ui-chart points', () => {
  const req = buildRequest({ mode: 'aggregate', metric: 't', fn: 'mean,max' });
  const rows = rowsFromInfluxQL(req, {
    results: [
      {
        series: [
          {
            name: 'env',
            tags: { deviceId: 'a' },
            columns: ['time', 'mean', 'max'],
            values: [
              [2000, 1.5, 3],
              [1000, 1, null],
            ],
          },
        ],
      },
    ],
  });
  assert.deepEqual(
    rows.map((r) => [r.ts, r.fn, r.value]),
    [
      [1000, 'mean', 1],
      [2000, 'mean', 1.5],
      [2000, 'max', 3],
    ],
  );
  assert.deepEqual(chartPoints(req, rows), [
    { x: 1000, y: 1, series: 'a mean' },
    { x: 2000, y: 1.5, series: 'a mean' },
    { x: 2000, y: 3, series: 'a max' },
  ]);
  assert.throws(() => rowsFromInfluxQL(req, { results: [{ error: 'database not found: iot' }] }), /database not found/);
  const raw = buildRequest({ mode: 'raw', metric: 't' });
  const frows = rowsFromFlux(raw, [{ _time: '2024-01-01T00:00:00Z', _value: 2, _field: 't', _measurement: 'env', deviceId: 'b' }]);
  assert.deepEqual(chartPoints(raw, frows), [{ x: Date.UTC(2024, 0, 1), y: 2, series: 'b' }]);
});
