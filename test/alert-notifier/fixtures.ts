/** Flows and alerts shared by the notifier's node tests. */
import type { Alert } from '../../nodes/common/types';

export function alert(over: Partial<Alert> = {}): Alert {
  return {
    id: 'al-1',
    ruleId: 'temp-high',
    deviceId: 'esp32-01',
    metric: 'temperature',
    value: 31.5,
    threshold: 30,
    severity: 'warning',
    state: 'firing',
    since: 1_700_000_000_000,
    title: 'Temperature high',
    text: 'esp32-01 temperature 31.5 > 30',
    ...over,
  };
}

export interface FlowOptions {
  smtpPort?: number;
  smtp?: Record<string, unknown>;
  notifier?: Record<string, unknown>;
  webhookUrl?: string;
}

/** A tab with smtp-default, notifier `n1` -> helper `out`, and a catch -> helper `errors`. */
export function notifierFlow(o: FlowOptions): unknown[] {
  return [
    { id: 'tab', type: 'tab', label: 'test' },
    {
      id: 'smtp-default',
      type: 'iot-smtp-config',
      name: 'test smtp',
      url: '',
      host: o.smtpPort ? '127.0.0.1' : '',
      port: o.smtpPort ?? 587,
      security: 'none',
      from: 'alerts@test.local',
      verifyTls: true,
      configVersion: 1,
      ...o.smtp,
    },
    {
      id: 'n1',
      type: 'alert-notifier',
      z: 'tab',
      name: 'notify',
      mode: 'alert',
      smtp: 'smtp-default',
      email: true,
      to: 'ops@test.local',
      toCritical: 'oncall@test.local',
      webhook: !!o.webhookUrl,
      url: o.webhookUrl ?? '',
      method: 'POST',
      headers: '{"X-Test":"yes"}',
      // Alone and at once (no group wait) unless a test is about grouping.
      retryInitialS: 0.2,
      retryMaxS: 1,
      timeoutS: 3,
      rateMax: 0,
      groupWaitS: 0,
      configVersion: 2,
      ...o.notifier,
      wires: [['out']],
    },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper', z: 'tab' },
  ];
}
