/**
 * Real receivers for the notifier's integration tests: an SMTP server
 * (smtp-server package) that keeps every message, and an HTTP server that
 * records webhook requests and checks their HMAC signature. Both can go down
 * and come back on the same port.
 */
import http from 'http';
import { AddressInfo } from 'net';
import { SMTPServer, SMTPServerOptions } from 'smtp-server';
import { verifySignature } from '../../nodes/alert-notifier/signing';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  headers: Record<string, string>;
  user?: string;
  /** The session was encrypted (TLS or STARTTLS). */
  secure: boolean;
}

/** Header block of a raw message, unfolded, lower-case names (first occurrence wins). */
/** Decodes RFC 2047 encoded words (=?UTF-8?Q?...?= and =?UTF-8?B?...?=). */
export function decodeWords(v: string): string {
  return v.replace(/\?=\s+=\?/g, '?==?').replace(/=\?utf-8\?([qb])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
    enc.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

export function parseHeaders(raw: string): Record<string, string> {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const out: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) {
      const k = line.slice(0, i).trim().toLowerCase();
      if (!(k in out)) out[k] = decodeWords(line.slice(i + 1).trim());
    }
  }
  return out;
}

export class SmtpReceiver {
  readonly mails: ReceivedMail[] = [];
  port = 0;
  private server?: SMTPServer;

  constructor(private readonly opts: { user?: string; password?: string; secure?: boolean; starttls?: boolean } = {}) {}

  async start(port = this.port): Promise<void> {
    const o = this.opts;
    const options: SMTPServerOptions = {
      secure: !!o.secure,
      authOptional: !o.user,
      allowInsecureAuth: true,
      disabledCommands: o.starttls || o.secure ? [] : ['STARTTLS'],
      closeTimeout: 200,
      logger: false,
      onAuth: (auth, _session, cb) => {
        if (auth.username === o.user && auth.password === o.password) cb(null, { user: auth.username });
        else cb(new Error('Invalid username or password'));
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          this.mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            headers: parseHeaders(raw),
            user: typeof session.user === 'string' ? session.user : undefined,
            secure: !!session.secure,
          });
          cb();
        });
      },
    };
    const server = new SMTPServer(options);
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Message-IDs seen, with how often. */
  counts(): Map<string, number> {
    const m = new Map<string, number>();
    for (const mail of this.mails) m.set(mail.headers['message-id'], (m.get(mail.headers['message-id']) ?? 0) + 1);
    return m;
  }
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
  signatureOk: boolean;
}

export class HttpReceiver {
  readonly requests: ReceivedRequest[] = [];
  port = 0;
  /** Status to answer with (201 like the seed's backend). */
  status = 201;
  private server?: http.Server;

  constructor(private readonly secret = '') {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = this.port): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        const signatureOk = this.secret ? verifySignature(body, this.secret, req.headers['x-signature'] as string | undefined) : true;
        this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, json, signatureOk });
        res.writeHead(this.status, { 'Content-Type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Idempotency keys seen, with how often. */
  counts(): Map<string, number> {
    const m = new Map<string, number>();
    for (const r of this.requests) {
      const k = String(r.headers['idempotency-key']);
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return m;
  }
}

/** Polls `cond` until true or throws after `timeoutMs` with `what`. */
export async function waitFor(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
