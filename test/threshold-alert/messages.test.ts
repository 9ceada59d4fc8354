import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValidationError } from '../../nodes/common/errors';
import { classify } from '../../nodes/threshold-alert/messages';

const reading = { deviceId: 'ruuvi_01', sensorType: 'ruuvi', ts: 1, metrics: { temperature: 22 }, received: 1 };

test('control messages are recognised by topic or payload.action', () => {
  const cases: Array<[unknown, unknown]> = [
    [
      { topic: 'sensors/ruuvi_01/ruuvi', payload: reading },
      { kind: 'reading', reading },
    ],
    [{ topic: 'list' }, { kind: 'list' }],
    [{ payload: { action: 'list' } }, { kind: 'list' }],
    [
      { topic: 'arm', payload: true },
      { kind: 'arm', armed: true },
    ],
    [
      { topic: 'arm', payload: 'off' },
      { kind: 'arm', armed: false },
    ],
    [
      { topic: 'mode', payload: 'surveillance' },
      { kind: 'arm', armed: true },
    ],
    [
      { topic: 'mode', payload: { mode: 'actif' } },
      { kind: 'arm', armed: false },
    ],
    [
      { topic: 'ack', payload: { alertId: 'a1', by: 'alice', reason: ' on it ' } },
      { kind: 'action', req: { action: 'ack', alertId: 'a1', by: 'alice', reason: 'on it' } },
    ],
    [
      { topic: 'alerts/cmd', payload: { action: 'resolve', alertId: 'a1', by: 'bob' } },
      { kind: 'action', req: { action: 'resolve', alertId: 'a1', by: 'bob' } },
    ],
    [
      { topic: 'resolve', payload: { ruleId: 'hot', deviceId: 'd', by: 'bob' } },
      { kind: 'action', req: { action: 'resolve', ruleId: 'hot', deviceId: 'd', by: 'bob' } },
    ],
    [
      { topic: 'rules', payload: '[{"id":"x","metric":"t","operator":"<","threshold":1}]' },
      {
        kind: 'rules',
        rules: [{ id: 'x', kind: 'threshold', metric: 't', operator: '<', threshold: 1, for: 0, keepFiring: 0, repeat: 0, severity: 'warning', enabled: true }],
      },
    ],
  ];
  for (const [msg, expected] of cases) assert.deepEqual(classify(msg as never), expected, JSON.stringify(msg));
});

test('bad messages are refused with every problem named', () => {
  const cases: Array<[unknown, RegExp[]]> = [
    [{ topic: 'ack', payload: {} }, [/payload\.by is required/, /payload\.alertId is required \(or both payload\.ruleId and payload\.deviceId\)/]],
    [{ topic: 'ack', payload: { alertId: 5, by: ['x'] } }, [/payload\.alertId must be a string/, /payload\.by must be a string/]],
    [{ topic: 'ack', payload: { action: 'resolve', alertId: 'a', by: 'x' } }, [/contradicts topic "ack"/]],
    [{ topic: 'resolve', payload: 'a1' }, [/resolve: payload must be an object \{alertId, by, reason\}/]],
    [{ topic: 'resolve', payload: { alertId: 'a', by: 'x', reason: 'r'.repeat(501) } }, [/payload\.reason is longer than 500/]],
    [{ payload: { action: 'delete', alertId: 'a' } }, [/payload\.action must be one of ack, resolve, list/]],
    [{ topic: 'arm', payload: 'maybe' }, [/arm: payload must be true\/false/]],
    [{ topic: 'rules', payload: '{nope' }, [/rules: payload is not valid JSON/]],
    [
      {
        topic: 'rules',
        payload: [
          { id: 'a', metric: 't', operator: '>' },
          { id: 'b', metric: 't', operator: 'between', threshold: [5, 1] },
        ],
      },
      [/rules\[0\]\.threshold: is required/, /rules\[1\]\.threshold: must be \[low, high\]/],
    ],
    [{ payload: 'hello' }, [/payload must be a Reading object \(got string\)/]],
    [{ payload: { deviceId: '', metrics: [] } }, [/deviceId must be a non-empty string/, /sensorType must be a string/, /metrics must be an object/]],
  ];
  for (const [msg, res] of cases) {
    assert.throws(
      () => classify(msg as never),
      (err: unknown) => {
        assert.ok(err instanceof ValidationError, `${JSON.stringify(msg)} -> ValidationError`);
        for (const re of res) assert.match(err.message, re);
        return true;
      },
    );
  }
});
