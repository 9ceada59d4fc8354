/**
 * GET /api/events/stream: Server-Sent Events from the FlowTap. A client that
 * reads too slowly loses events (counted in a `dropped` event) rather than
 * making the app buffer without bound.
 */
import type { Request, Response } from 'express';
import type { EventType, FlowTap } from './events';

const MAX_BUFFERED = 1 << 20;

export function eventStream(tap: FlowTap, req: Request, res: Response, types: Set<EventType> | undefined, heartbeatMs = 15_000): void {
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  res.write(': connected\n\nretry: 3000\n\n');
  let seq = 0;
  let dropped = 0;
  const unsubscribe = tap.subscribe((type, data) => {
    if (types && !types.has(type)) return;
    if (res.writableLength > MAX_BUFFERED) {
      dropped++;
      return;
    }
    if (dropped) {
      res.write(`event: dropped\ndata: ${JSON.stringify({ count: dropped })}\n\n`);
      dropped = 0;
    }
    res.write(`id: ${++seq}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  });
  const beat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
  const end = (): void => {
    clearInterval(beat);
    unsubscribe();
  };
  req.on('close', end);
  res.on('error', end);
}
