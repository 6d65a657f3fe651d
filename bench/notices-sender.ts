/**
 * The sender of bench/notices-fanout.ts, in a child process of its own: a real sender is not in the server's process,
 * and a fetch made inside it waits its turns of the server's event loop between the fan-out's slices, which says
 * nothing about when the server answered. Posts one request per IPC command and replies with the time until the
 * whole answer was read (ms), the answer's body, or the error.
 */
interface Command {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const reply = (m: unknown) => process.send!(m);

async function post(c: Command): Promise<void> {
  const start = performance.now();
  const res = await fetch(c.url, { method: 'POST', headers: c.headers, body: c.body });
  const text = await res.text();
  reply({ ms: performance.now() - start, status: res.status, text });
}

process.on('message', (c: Command) => {
  void post(c).catch((err: Error) => {
    // fetch's TypeError says only "fetch failed": the reason (EMFILE, ECONNRESET…) is its cause.
    const cause = err.cause !== undefined ? ` (caused by: ${String(err.cause)})` : '';
    reply({ error: `${err.message}${cause}` });
  });
});
