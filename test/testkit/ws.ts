import WebSocket from 'ws';

/** A message of the graphql-transport-ws protocol as it goes over the wire. */
export interface WsMessage {
  type: string;
  id?: string;
  payload?: any;
}

/**
 * A raw websocket speaking graphql-transport-ws by hand, for asserting the
 * exact messages and close codes (the graphql-ws client hides some of them).
 */
export interface RawSocket {
  send(message: WsMessage | string): void;
  /** Sends the messages in one write: the server reads them together (as a burst of operations arrives). */
  sendTogether(messages: WsMessage[]): void;
  /** The next message from the server; rejects if the socket closes first. */
  next(): Promise<WsMessage>;
  /** Resolves with the close code and reason once the socket has closed. */
  closed: Promise<{ code: number; reason: string }>;
  readonly isOpen: boolean;
  close(): void;
}

/** `headers` go on the upgrade request (a browser's Cookie and Origin). */
export async function openRawSocket(
  wsUrl: string,
  opts: { headers?: Record<string, string> } = {},
): Promise<RawSocket> {
  const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { headers: opts.headers });
  const queue: WsMessage[] = [];
  const waiting: { resolve: (m: WsMessage) => void; reject: (e: Error) => void }[] = [];
  let closeInfo: { code: number; reason: string } | undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => {
      closeInfo = { code, reason: reason.toString() };
      for (const w of waiting.splice(0)) w.reject(new Error(`socket closed with ${code} ${closeInfo.reason}`));
      resolve(closeInfo);
    });
  });
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as WsMessage;
    const w = waiting.shift();
    if (w) w.resolve(message);
    else queue.push(message);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    send: (m) => socket.send(typeof m === 'string' ? m : JSON.stringify(m)),
    sendTogether: (messages) => {
      // ws writes each frame to its TCP socket at once; corked, the frames leave in one write when uncorked.
      const tcp = (socket as unknown as { _socket: import('node:net').Socket })._socket;
      tcp.cork();
      for (const m of messages) socket.send(JSON.stringify(m));
      tcp.uncork();
    },
    next: () => {
      const m = queue.shift();
      if (m) return Promise.resolve(m);
      if (closeInfo) return Promise.reject(new Error(`socket closed with ${closeInfo.code} ${closeInfo.reason}`));
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    closed,
    get isOpen() {
      return socket.readyState === WebSocket.OPEN;
    },
    close: () => socket.close(1000),
  };
}

/** Opens a socket and completes `connection_init` → `connection_ack` with the given token. */
export async function openAcknowledgedSocket(wsUrl: string, token: string): Promise<RawSocket> {
  const s = await openRawSocket(wsUrl);
  s.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
  const ack = await s.next();
  if (ack.type !== 'connection_ack') throw new Error(`expected connection_ack, got ${JSON.stringify(ack)}`);
  return s;
}
