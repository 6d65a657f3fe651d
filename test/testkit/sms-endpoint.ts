import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { until } from './mail-sink';

/** One request as the SMS provider saw it. */
export interface SmsRequest {
  idempotencyKey: string | null;
  authorization: string | null;
  body: { to?: string; text?: string; reference?: string };
  status: number;
}

export interface SmsEndpoint {
  url: string;
  /** Every request, also failed and duplicate ones. */
  requests: SmsRequest[];
  /** SMS actually "sent" to a phone: one per Idempotency-Key, as a real provider does. */
  delivered: SmsRequest[];
  /** Answer this status to every request (e.g. 500) until set back to null. */
  failWith(status: number | null): void;
  waitFor(n: number, timeoutMs?: number): Promise<SmsRequest[]>;
  close(): Promise<void>;
}

/**
 * A local stand-in for an HTTP SMS provider: POST JSON {to, text, reference};
 * a repeated Idempotency-Key is answered 200 but not sent again.
 */
export async function startSmsEndpoint(): Promise<SmsEndpoint> {
  const requests: SmsRequest[] = [];
  const delivered: SmsRequest[] = [];
  let failure: number | null = null;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: SmsRequest['body'] = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = {};
      }
      const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
      const status = failure ?? (req.method === 'POST' && key ? 200 : 400);
      const r: SmsRequest = { idempotencyKey: key, authorization: req.headers.authorization ?? null, body, status };
      requests.push(r);
      if (status === 200 && !delivered.some((d) => d.idempotencyKey === key)) delivered.push(r);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status === 200 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sms`,
    requests,
    delivered,
    failWith: (status) => void (failure = status),
    waitFor: (n, timeoutMs = 10_000) =>
      until(() => (delivered.length >= n ? delivered : undefined), timeoutMs, `${n} SMS (got ${delivered.length})`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
