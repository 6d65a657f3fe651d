import http from 'node:http';
import { setMaxListeners } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createPubSub } from '@graphql-yoga/subscription';
import { GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

/** The floor's notice: what the API's notice carries, as plain strings. */
interface FloorNotice {
  cursor: string;
  subject: string;
}

/**
 * The floor of bench/notices-fanout.ts: bare graphql-ws on `ws` with an
 * in-process pub/sub, one topic, no sign-in, no database. POST /send
 * publishes a notice with the body as its subject and answers 204.
 */
export async function startNoticeFloor(): Promise<{
  wsUrl: string;
  sendUrl: string;
  httpServer: http.Server;
  close(): Promise<void>;
}> {
  // One listener per subscribed socket, as in the API's in-process bus (src/subscriptions/bus.ts): no warning at 10.
  const eventTarget = new EventTarget();
  setMaxListeners(0, eventTarget);
  const pubSub = createPubSub<{ notice: [FloorNotice] }>({ eventTarget });
  const Notice = new GraphQLObjectType({
    name: 'Notice',
    fields: { cursor: { type: GraphQLString }, subject: { type: GraphQLString } },
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString, resolve: () => 'ok' } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        notices: { type: Notice, subscribe: () => pubSub.subscribe('notice'), resolve: (n: FloorNotice) => n },
      },
    }),
  });
  let seq = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      pubSub.publish('notice', { cursor: String(++seq), subject: body });
      res.writeHead(204).end();
    });
  });
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const ws = useServer({ schema }, wss);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    sendUrl: `http://127.0.0.1:${port}/send`,
    httpServer: server,
    close: async () => {
      await ws.dispose();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
