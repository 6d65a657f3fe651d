import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/** One mail as the SMTP server accepted it: the raw source, so tests can assert on every byte sent. */
export interface ReceivedMail {
  raw: string;
  messageId: string | null;
  to: string[];
  from: string | null;
}

export interface MailSink {
  /** smtp://127.0.0.1:<port>, for SMTP_URL. */
  url: string;
  mails: ReceivedMail[];
  /** Resolves once at least `n` mails were accepted; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

/**
 * A real SMTP server on a random local port that keeps every accepted mail.
 * Plain SMTP (no STARTTLS, no AUTH) as on a local relay. `acceptDelayMs`
 * holds each mail before answering 250, so a killed sender can die mid-batch.
 */
export async function startMailSink(opts: { acceptDelayMs?: number } = {}): Promise<MailSink> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const accept = () => {
          mails.push({
            raw,
            messageId: /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(raw)?.[1] ?? null,
            to: session.envelope.rcptTo.map((r) => r.address),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          });
          callback();
        };
        if (opts.acceptDelayMs) setTimeout(accept, opts.acceptDelayMs);
        else accept();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    waitFor: (n, timeoutMs = 10_000) =>
      until(() => (mails.length >= n ? mails : undefined), timeoutMs, `${n} mails (got ${mails.length})`),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls `probe` until it returns a value, or fails after `timeoutMs` with what it was waiting for. */
export async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
