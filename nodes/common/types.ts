/**
 * The message contract shared by every node (see DESIGN.md, "Message contract").
 * Keep these shapes flat and small: Node-RED deep-clones a message per extra wire.
 */

/** A discrete event such as a PIR trigger or a button press. */
export interface ReadingEvent {
  /** Event id as the device sent it (used for de-duplication), or a generated one. */
  id: string;
  /** snake_case event type, e.g. `motion_detected`, `button_pressed`. */
  type: string;
  /** Free-form details from the device (gpio pin, state, location...). */
  data?: Record<string, unknown>;
}

/** A normalized reading: `msg.payload` after the payload normalizer. */
export interface Reading {
  deviceId: string;
  sensorType: string;
  /** Measurement time, epoch milliseconds UTC. */
  ts: number;
  /** Metric name -> finite number (booleans become 0/1). */
  metrics: Record<string, number>;
  /** Metric name -> unit, e.g. `{ temperature: '°C' }`. */
  units?: Record<string, string>;
  tags?: Record<string, string>;
  event?: ReadingEvent;
  /** Time the reading was received by the engine, epoch ms. */
  received: number;
}

export type Severity = 'info' | 'warning' | 'critical';
export type AlertState = 'pending' | 'firing' | 'acknowledged' | 'resolved';

/** An alert transition, emitted by the threshold-alert node. */
export interface Alert {
  id: string;
  ruleId: string;
  deviceId: string;
  metric: string;
  value: number | null;
  threshold: number | [number, number] | null;
  severity: Severity;
  state: AlertState;
  /** Epoch ms when the alert entered its current state. */
  since: number;
  title: string;
  text: string;
}

export type CommandStatus = 'pending' | 'sent' | 'acknowledged' | 'executed' | 'failed' | 'expired';

/** A command to an actuator, emitted by the servo-command node. */
export interface Command {
  id: string;
  deviceId: string;
  action: string;
  params: Record<string, unknown>;
  createdAt: number;
  expiresAt: number;
  status: CommandStatus;
}

/** A finished camera recording, emitted by the camera-recorder node. */
export interface Recording {
  id: string;
  cameraId: string;
  /** Absolute path of the video file inside the media folder. */
  file: string;
  /** Absolute path of the JPEG thumbnail, when one could be made. */
  thumbnail?: string;
  size: number;
  /** Seconds, read from the file. */
  duration: number;
  width?: number;
  height?: number;
  codec?: string;
  /** Id of the event that triggered the recording. */
  eventId?: string;
  startedAt: number;
  endedAt: number;
}

export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];
