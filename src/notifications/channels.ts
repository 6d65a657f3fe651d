import fs from 'node:fs/promises';
import path from 'node:path';
import type { Transporter } from 'nodemailer';

/** One notification to hand to a provider. `dedupKey` is stable across retries: providers deduplicate on it. */
export interface OutgoingNotification {
  dedupKey: string;
  to: string;
  subject: string;
  text: string;
}

export interface EmailSender {
  send(n: OutgoingNotification): Promise<void>;
  close?(): void;
}
export interface SmsSender {
  send(n: OutgoingNotification): Promise<void>;
}

/**
 * nodemailer waits up to 2 min to connect and 10 min on a silent socket; a
 * send must end well inside the job timeout, or a slow server makes the job
 * expire and be sent again while the first attempt still runs. Options in the
 * URL's query (e.g. `?ignoreTLS=true&socketTimeout=5000`) take precedence.
 */
function withTimeouts(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  for (const [key, ms] of [
    ['connectionTimeout', 10_000],
    ['greetingTimeout', 10_000],
    ['socketTimeout', 20_000],
  ] as const) {
    if (!url.searchParams.has(key)) url.searchParams.set(key, String(ms));
  }
  return url.toString();
}

/** E-mail over SMTP (nodemailer); the Message-ID carries the dedup key so a resend is recognisably the same mail. */
export class SmtpEmailSender implements EmailSender {
  private readonly transport: Transporter;
  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    // Loaded only when e-mail is sent over SMTP (not by default in development): issue 12 item 4, a faster start.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodemailer = require('nodemailer') as typeof import('nodemailer');
    this.transport = nodemailer.createTransport(withTimeouts(smtpUrl));
  }

  async send(n: OutgoingNotification): Promise<void> {
    await this.transport.sendMail({
      from: this.from,
      to: n.to,
      subject: n.subject,
      text: n.text,
      messageId: `<${n.dedupKey}@notifications.ifo-messaging>`,
      headers: { 'X-Notification-Id': n.dedupKey },
    });
  }

  close(): void {
    this.transport.close();
  }
}

export class ProviderError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/**
 * SMS through an HTTP provider: POST JSON {to, text, reference} with a bearer
 * key and an Idempotency-Key header (the dedup key). 4xx other than 408/429
 * is permanent; everything else is retried.
 */
export class HttpSmsSender implements SmsSender {
  constructor(
    private readonly url: string,
    private readonly apiKey: string,
  ) {}

  async send(n: OutgoingNotification): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${this.apiKey}`,
        'idempotency-key': n.dedupKey,
      },
      body: JSON.stringify({ to: n.to, text: n.text, reference: n.dedupKey }),
      signal: AbortSignal.timeout(15_000),
    });
    if (res.ok) return;
    const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
    throw new ProviderError(`SMS provider answered ${res.status}`, permanent);
  }
}

/** Development: notifications go to a local log file instead of a provider. */
export class LogSender implements EmailSender, SmsSender {
  constructor(
    private readonly file: string,
    private readonly channel: string,
  ) {}

  async send(n: OutgoingNotification): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    await fs.appendFile(
      this.file,
      JSON.stringify({ at: new Date().toISOString(), channel: this.channel, ...n }) + '\n',
    );
  }
}
