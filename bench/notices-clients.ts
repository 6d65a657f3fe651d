import WebSocket from 'ws';

/**
 * The websocket clients of bench/notices-fanout.ts, in a child process of
 * their own so that the server's heap and CPU time are measured without them.
 * Speaks graphql-transport-ws by hand; talks to the parent over IPC.
 */
type Command =
  | { cmd: 'tokens'; tokens: string[] }
  | { cmd: 'open'; url: string; n: number }
  | { cmd: 'subscribe'; query: string }
  | { cmd: 'wait'; subject: string; count: number; timeoutMs: number; idleMs?: number }
  | { cmd: 'close' };

const sockets: WebSocket[] = [];
/** The sockets' tokens, given before they open (the IPC is not the connects' cost): socket i signs in with token i mod their number. */
let tokens: string[] = [];
/** Receive times (ms since the epoch, sub-millisecond) per subject. */
const received = new Map<string, number[]>();
const now = () => performance.timeOrigin + performance.now();
const reply = (m: unknown) => process.send!(m);

function openOne(url: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'graphql-transport-ws');
    ws.once('error', reject);
    ws.once('open', () =>
      ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })),
    );
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as {
        type: string;
        payload?: { data?: { notices?: { subject?: string } } };
      };
      if (m.type === 'connection_ack') return resolve(ws);
      const subject = m.type === 'next' ? m.payload?.data?.notices?.subject : undefined;
      if (!subject) return;
      // One array per subject, appended to (copying it per arrival cost O(N²) client time at tens of thousands of sockets).
      const times = received.get(subject);
      if (times) times.push(now());
      else received.set(subject, [now()]);
    });
    ws.once('close', (code) => reject(new Error(`socket closed with ${code}`)));
  });
}

/** Opens `n` sockets, at most 50 handshakes at a time; replies with the wall time it took. */
async function open(url: string, n: number): Promise<void> {
  const start = now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(50, n) }, async () => {
      while (next < n) {
        const token = tokens[next++ % tokens.length];
        sockets.push(await openOne(url, token));
      }
    }),
  );
  reply({ opened: sockets.length, ms: now() - start });
}

/**
 * Subscribes every socket, 200 every 50 ms: each subscribe looks its caller up
 * again on the server (through the 10-connection pool), and tens of thousands
 * at once would wait out the pool's acquire timeout; clients that reconnect
 * subscribe as they are admitted, which is paced too.
 */
async function subscribeAll(query: string): Promise<void> {
  for (let i = 0; i < sockets.length; i += 200) {
    for (const ws of sockets.slice(i, i + 200))
      ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
    await new Promise((r) => setTimeout(r, 50));
  }
  reply({ subscribed: sockets.length });
}

/** Replies once `count` sockets have the subject, or after `timeoutMs`, or when none more arrived for `idleMs`. */
async function wait(subject: string, count: number, timeoutMs: number, idleMs = timeoutMs): Promise<void> {
  const until = Date.now() + timeoutMs;
  let seen = 0;
  let lastArrival = Date.now();
  for (;;) {
    const got = received.get(subject)?.length ?? 0;
    if (got > seen) [seen, lastArrival] = [got, Date.now()];
    if (got >= count || Date.now() >= until || Date.now() - lastArrival >= idleMs) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  reply({ times: received.get(subject) ?? [] });
}

process.on('message', (c: Command) => {
  if (c.cmd === 'tokens') {
    tokens = c.tokens;
    reply({ tokens: tokens.length });
  } else if (c.cmd === 'open') void open(c.url, c.n).catch((err: Error) => reply({ error: err.message }));
  else if (c.cmd === 'subscribe') void subscribeAll(c.query);
  else if (c.cmd === 'wait') void wait(c.subject, c.count, c.timeoutMs, c.idleMs);
  else {
    for (const ws of sockets.splice(0)) ws.terminate();
    received.clear();
    reply({ closed: true });
  }
});
