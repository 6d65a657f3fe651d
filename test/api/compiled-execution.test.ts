import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { ConversationDocument, ConversationsDocument } from '../../clients/staff/src';
import { DEMO } from '../../src/db/demo-data';
import { postRaw } from '../testkit/api';
import { arrangeCaseload } from '../testkit/caseload';
import { startTestServer, type TestServer } from '../testkit/server';

// Hot HTTP operations execute compiled (graphql-jit, src/http/compiled-executor.ts). Clients must not see the
// difference: the same request gets the same status and the same body, byte for byte, whether graphql-js or the
// compiled form answers it — data, partial data with errors, codes, paths, and refused variables.

let interpreted: TestServer;
let compiled: TestServer;
let staffToken: string;
let citizenToken: string;
let conversationId: string;

beforeAll(async () => {
  compiled = await startTestServer({ GRAPHQL_COMPILE_AFTER: '1' });
  // A second server on the same data that never compiles.
  interpreted = await startTestServer(
    { GRAPHQL_COMPILE_AFTER: '0' },
    { databaseUrl: compiled.orm.config.getClientUrl() },
  );
  ({ maritaToken: staffToken } = await arrangeCaseload(compiled));
  citizenToken = await compiled.token.citizen(DEMO.tolvan);
  const page = await postRaw(
    compiled.url,
    { query: print(ConversationsDocument), variables: { first: 1 } },
    { token: staffToken },
  );
  conversationId = page.body.data.conversations.nodes[0].id;
}, 180_000);
afterAll(async () => {
  await interpreted?.close();
  await compiled?.close();
});

const PARTIES = `query Parties($first: Int!, $withParticipants: Boolean!, $skipSubject: Boolean = false) {
  conversations(first: $first) {
    edges { cursor }
    nodes {
      ...Head
      alias: id
      participants @include(if: $withParticipants) { __typename kind name }
    }
    pageInfo { hasNextPage endCursor }
  }
  staffMe { __typename username }
}
fragment Head on Conversation { id subject @skip(if: $skipSubject) unreadCount lastMessage { sentAt sender { name } } }`;

type Call = { query: string; variables?: Record<string, unknown>; operationName?: string };
const cases: [string, () => { token: string; call: Call }][] = [
  [
    'the staff inbox page',
    () => ({ token: staffToken, call: { query: print(ConversationsDocument), variables: { first: 50 } } }),
  ],
  [
    'one conversation with its messages',
    () => ({ token: staffToken, call: { query: print(ConversationDocument), variables: { id: conversationId } } }),
  ],
  [
    'a conversation that does not exist: NOT_FOUND with its path',
    () => ({ token: staffToken, call: { query: print(ConversationDocument), variables: { id: randomUUID() } } }),
  ],
  [
    'fragments, aliases, __typename, @include and @skip with variables and defaults',
    () => ({
      token: staffToken,
      call: { query: PARTIES, variables: { first: 3, withParticipants: true, skipSubject: true } },
    }),
  ],
  [
    'a citizen asking a staff-only field beside their own: the error nulls the whole answer',
    () => ({ token: citizenToken, call: { query: `query Mixed { me { __typename } staffMe { username } }` } }),
  ],
  [
    'a variable of the wrong type: refused before anything runs',
    () => ({ token: staffToken, call: { query: print(ConversationsDocument), variables: { first: 'many' } } }),
  ],
  [
    'a required variable missing',
    () => ({ token: staffToken, call: { query: print(ConversationDocument), variables: {} } }),
  ],
  [
    'the operation chosen by name from a document of two',
    () => ({
      token: staffToken,
      call: { query: `query A { staffMe { username } } query B { mailboxes { unreadCount } }`, operationName: 'B' },
    }),
  ],
];

describe('compiled and interpreted execution answer alike', () => {
  test.each(cases)('%s', async (_name, make) => {
    const { token, call } = make();
    // Twice on each: the compiled server compiles on the first run and runs the compiled form on the second.
    const answers = [];
    for (const server of [interpreted, compiled, interpreted, compiled]) {
      const res = await postRaw(server.url, call, { token });
      answers.push({ status: res.status, text: res.text });
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[3]).toEqual(answers[2]);
    expect(answers[3]).toEqual(answers[1]);
  });

  test('the answers are the real ones (not two servers failing alike)', async () => {
    const page = await postRaw(
      compiled.url,
      { query: print(ConversationsDocument), variables: { first: 50 } },
      { token: staffToken },
    );
    expect(page.status).toBe(200);
    expect(page.body.errors).toBeUndefined();
    expect(page.body.data.conversations.nodes).toHaveLength(50);
    const missing = await postRaw(
      compiled.url,
      { query: print(ConversationDocument), variables: { id: randomUUID() } },
      { token: staffToken },
    );
    expect(missing.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['NOT_FOUND']);
    const wrongType = await postRaw(
      compiled.url,
      { query: print(ConversationsDocument), variables: { first: 'many' } },
      { token: staffToken },
    );
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const parties = await postRaw(
      compiled.url,
      { query: PARTIES, variables: { first: 3, withParticipants: true, skipSubject: true } },
      { token: staffToken },
    );
    expect(parties.body.errors).toBeUndefined();
    expect(parties.body.data.conversations.nodes[0]).toEqual(
      expect.objectContaining({ alias: parties.body.data.conversations.nodes[0].id, participants: expect.any(Array) }),
    );
    expect(parties.body.data.conversations.nodes[0]).not.toHaveProperty('subject');
    const mixed = await postRaw(
      compiled.url,
      { query: `query Mixed { me { __typename } staffMe { username } }` },
      { token: citizenToken },
    );
    expect(mixed.body.data).toEqual(null);
    expect(mixed.body.errors.length).toBeGreaterThan(0);
  });
});
