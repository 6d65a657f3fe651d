// The self-hosted GraphQL IDE (GET /graphql from a browser): GraphiQL bundled by
// scripts/build-web.mjs and served by this server, so nothing comes from a CDN
// and nothing is sent anywhere but here. Queries and mutations go over HTTP with
// the page's own session cookie (same origin) or the Authorization header pasted
// under Headers; subscriptions over this server's graphql-ws websocket.
import './csp-nonce';
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './graphiql.css';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createFetcher } from './fetcher';
import { tokenFreeStorage } from './storage';

const DEFAULT_QUERY = `# GraphiQL for the IFO messaging API, served by this server (no CDN, no telemetry).
#
# Who you are:
# - signed in through a web UI on this address (in development: /auth/dev),
#   requests carry that session cookie;
# - or paste a token under Headers below, e.g. {"Authorization": "Bearer <token>"}
#   (in development: npm run token -- staff mararo01). It is used for
#   subscriptions too.
#
# The schema and its documentation: the book icon on the left.

query WhoAmI {
  __typename
}
`;

createRoot(document.getElementById('graphiql')!).render(
  <GraphiQL
    fetcher={createFetcher({ url: '/graphql' })}
    defaultQuery={DEFAULT_QUERY}
    defaultEditorToolsVisibility="headers"
    // A pasted token stays in this tab only: never written to localStorage (the history keeps headers: cut out there).
    shouldPersistHeaders={false}
    showPersistHeadersSettings={false}
    storage={tokenFreeStorage}
  />,
);
