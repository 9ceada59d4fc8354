/** Error classes with a stable `name`, so Catch nodes and logs can tell them apart. */

/** Bad input: a message or a setting that cannot be used. Never retried. */
export class ValidationError extends Error {
  override name = 'ValidationError';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** A remote service (database, SMTP, webhook) failed; the work is kept for retry. */
export class RemoteError extends Error {
  override name = 'RemoteError';
  constructor(
    message: string,
    readonly statusCode?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Required hardware or a program (GPIO, camera, ffmpeg) is not there. */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
}

/** Message of any thrown value, for statuses and reject reasons. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
