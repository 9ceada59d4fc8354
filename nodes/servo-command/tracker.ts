/**
 * Follows sent commands until a final status: acks move them forward, a timer
 * expires them. Reports every transition through `onChange`.
 */
import type { Command, CommandStatus } from '../common/types';
import { Ack, canTransition, isFinal } from './command';

export interface Transition {
  command: Command;
  reason?: string;
}

export class CommandTracker {
  private open = new Map<string, { command: Command; timer: NodeJS.Timeout }>();

  constructor(
    private readonly onChange: (t: Transition) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** Starts following a command that was just sent. */
  track(command: Command): void {
    const timer = setTimeout(() => this.set(command.id, 'expired', 'no acknowledgement before expiresAt'), Math.max(0, command.expiresAt - this.now()));
    timer.unref?.();
    this.open.set(command.id, { command, timer });
  }

  /** Moves a command; returns false for unknown ids and backward moves. */
  set(id: string, status: CommandStatus, reason?: string): boolean {
    const entry = this.open.get(id);
    if (!entry || !canTransition(entry.command.status, status)) return false;
    entry.command = { ...entry.command, status };
    if (isFinal(status)) {
      clearTimeout(entry.timer);
      this.open.delete(id);
    }
    this.onChange({ command: entry.command, reason });
    return true;
  }

  applyAck(ack: Ack): boolean {
    return this.set(ack.id, ack.status, ack.reason);
  }

  clear(): void {
    for (const e of this.open.values()) clearTimeout(e.timer);
    this.open.clear();
  }
}
