import { CloseCode } from 'graphql-ws';
import * as staffApi from '../../clients/staff/src';
import { createTokenVerifier } from '../../src/auth/tokens';
import { DEMO } from '../../src/db/demo-data';
import { Staff, StaffRole } from '../../src/entities/staff';
import { AppError } from '../../src/errors';
import { AccountLookups } from '../../src/subscriptions/account-lookups';
import type { AccountChange, NoticeBus } from '../../src/subscriptions/bus';
import { WebSocketAuth } from '../../src/subscriptions/ws-auth';
import { forger } from '../testkit/forge';
import { subscribe, type Subscriber } from '../testkit/subscriptions';
import { demoWorld, type Api, type DemoWorld } from '../testkit/world';
import { openAcknowledgedSocket, type RawSocket, type WsMessage } from '../testkit/ws';

/**
 * WR2, WR7: a websocket never serves with the rights its
 * caller had when it opened. Every operation and every event re-checks the
 * caller (account active, current role, credential not expired); a socket
 * whose account is disabled or whose token expires is closed with 4403 at
 * that moment. And errors on the socket give away no more of the schema than
 * over HTTP.
 */
const LEEWAY_SECONDS = 1;
let w: DemoWorld;
let admin: Api;
let forge: Awaited<ReturnType<typeof forger>>;
const sockets: RawSocket[] = [];
const subscribers: Subscriber<unknown>[] = [];

beforeAll(async () => {
  w = await demoWorld({ AUTH_CLOCK_TOLERANCE_SECONDS: String(LEEWAY_SECONDS) });
  admin = await w.as('admin');
  forge = await forger(w.t.config.dataDir, w.t.config.auth.audience);
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await Promise.all(subscribers.splice(0).map((s) => s.close()));
});
afterAll(() => w.close());

async function socketAs(token: string): Promise<RawSocket> {
  const s = await openAcknowledgedSocket(w.t.wsUrl, token);
  sockets.push(s);
  return s;
}

/** Sends `subscribe` and collects every message for that id up to `complete` or `error`; rejects if the socket closes first. */
async function run(s: RawSocket, id: string, query: string, variables?: Record<string, unknown>): Promise<WsMessage[]> {
  s.send({ id, type: 'subscribe', payload: { query, variables } });
  const messages: WsMessage[] = [];
  for (;;) {
    const m = await s.next();
    messages.push(m);
    if (m.id === id && (m.type === 'complete' || m.type === 'error')) return messages;
  }
}

/** What an operation got before the socket closed: the messages, and the close code (or 'open'). */
async function attempt(s: RawSocket, id: string, query: string, variables?: Record<string, unknown>) {
  const messages: WsMessage[] = [];
  s.send({ id, type: 'subscribe', payload: { query, variables } });
  try {
    for (;;) {
      const m = await s.next();
      messages.push(m);
      if (m.type === 'complete' || m.type === 'error') return { messages, close: 'open' as const };
    }
  } catch {
    return { messages, close: (await s.closed).code };
  }
}

const setStaff = (username: string, input: staffApi.UpdateStaffInput) =>
  admin.mutate(staffApi.UpdateStaffDocument, { id: w.staffId[username], input });

/** Resolves with the close code, or 'still open' after `ms`. */
const closedWithin = (s: RawSocket, ms: number) =>
  Promise.race([
    s.closed.then((c) => c.code),
    new Promise<'still open'>((r) => setTimeout(() => r('still open'), ms).unref()),
  ]);

describe('WR2 a disabled account loses its open sockets at once', () => {
  afterEach(async () => {
    expect((await setStaff(DEMO.otherUnitCaseworker, { active: true })).codes).toEqual([]);
  });

  test('updateStaff(active: false) closes the socket with 4403, with and without a live subscription', async () => {
    const token = await w.t.token.staff(DEMO.otherUnitCaseworker);
    const idle = await socketAs(token);
    expect(await run(idle, 'me', '{ staffMe { name } }')).toEqual([
      { id: 'me', type: 'next', payload: { data: { staffMe: { name: 'Bo Barnström' } } } },
      { id: 'me', type: 'complete' },
    ]);
    const live = await subscribe(w.t.wsUrl, token, staffApi.NoticesDocument, {});
    subscribers.push(live as Subscriber<unknown>);

    expect((await setStaff(DEMO.otherUnitCaseworker, { active: false })).codes).toEqual([]);
    // "At that moment": the signal closes both without waiting for an operation or an event.
    expect(await closedWithin(idle, 2000)).toBe(CloseCode.Forbidden);
    expect(await Promise.race([live.closed, new Promise((r) => setTimeout(() => r('still open'), 2000).unref())])).toBe(
      CloseCode.Forbidden,
    );
    expect(live.events).toEqual([]);
  });

  test.each([
    ['operation', '{ staffMe { name } persons { nodes { name } } }'],
    ['subscription', 'subscription { notices { cursor } }'],
  ])(
    "disabled behind the API's back (no signal): the next %s is refused and the socket closed with 4403",
    async (_what, query) => {
      const s = await socketAs(await w.t.token.staff(DEMO.otherUnitCaseworker));
      await w.t.em().nativeUpdate(Staff, { username: DEMO.otherUnitCaseworker }, { active: false });
      const r = await attempt(s, 'q', query);
      expect(r.close).toBe(CloseCode.Forbidden);
      expect(r.messages.filter((m) => m.type === 'next')).toEqual([]);
    },
  );

  test('a mutation on a socket whose account was disabled does not run', async () => {
    const s = await socketAs(await w.t.token.staff(DEMO.otherUnitCaseworker));
    await w.t.em().nativeUpdate(Staff, { username: DEMO.otherUnitCaseworker }, { active: false });
    const r = await attempt(
      s,
      'm',
      'mutation { updateMailboxSettings(input: { signature: "efter avstängning" }) { signature } }',
    );
    expect(r.close).toBe(CloseCode.Forbidden);
    expect(r.messages.filter((m) => m.type === 'next')).toEqual([]);
    const settings: { signature: string }[] = await w.t
      .em()
      .getConnection()
      .execute(`select signature from mailbox_settings where staff_id = ?`, [w.staffId[DEMO.otherUnitCaseworker]]);
    expect(settings.map((r) => r.signature)).not.toContain('efter avstängning');
  });
});

describe('WR2 every operation runs with the current role', () => {
  afterEach(async () => {
    expect((await setStaff(DEMO.secondCaseworker, { role: StaffRole.CASEWORKER })).codes).toEqual([]);
  });

  test('a role changed after the socket opened applies to the next query on it', async () => {
    const s = await socketAs(await w.t.token.staff(DEMO.secondCaseworker));
    const before = await run(s, 'r1', '{ staffMe { role } persons { nodes { id } } }');
    expect(before[0].payload.data.staffMe.role).toBe('CASEWORKER');
    expect(before[0].payload.data.persons.nodes.length).toBeGreaterThan(0);

    expect((await setStaff(DEMO.secondCaseworker, { role: StaffRole.ADMIN })).codes).toEqual([]);
    const after = await run(s, 'r2', '{ staffMe { role } }');
    expect(after[0].payload).toEqual({ data: { staffMe: { role: 'ADMIN' } } });
    // Administrators see no persons: the socket answers as it would over HTTP now.
    const persons = await run(s, 'r3', '{ persons { nodes { id } } }');
    expect(persons[0].payload.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(persons[0].payload.data).toBeNull();
  });

  test('a mutation runs with the role as it is now, not as it was at connect', async () => {
    const s = await socketAs(await w.t.token.staff(DEMO.secondCaseworker));
    const createUnit = (id: string) =>
      run(s, id, `mutation { createUnit(name: "Enhet ${id}-${Date.now()}", municipality: "Söderköping") { name } }`);
    expect((await createUnit('u1'))[0].payload.errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await setStaff(DEMO.secondCaseworker, { role: StaffRole.ADMIN })).codes).toEqual([]);
    expect((await createUnit('u2'))[0].payload.data.createUnit.name).toMatch(/^Enhet u2/);
    expect((await setStaff(DEMO.secondCaseworker, { role: StaffRole.CASEWORKER })).codes).toEqual([]);
    expect((await createUnit('u3'))[0].payload.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  test('a role changed in the database without a signal applies to the next operation too', async () => {
    const s = await socketAs(await w.t.token.staff(DEMO.secondCaseworker));
    expect((await run(s, 'a', '{ staffMe { role } }'))[0].payload.data.staffMe.role).toBe('CASEWORKER');
    await w.t.em().nativeUpdate(Staff, { username: DEMO.secondCaseworker }, { role: StaffRole.EXECUTOR });
    expect((await run(s, 'b', '{ staffMe { role } }'))[0].payload.data.staffMe.role).toBe('EXECUTOR');
  });
});

describe('WR2 a token past exp (plus the leeway) stops serving', () => {
  test('the socket is closed with 4403 when the token expires, not before', async () => {
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = await forge.devSigned({ exp, claims: { preferred_username: DEMO.caseworker } });
    const s = await socketAs(token);
    expect((await run(s, 'q', '{ staffMe { name } }'))[0].payload.data.staffMe.name).toBe('Marita Aronsson');
    const { code } = await s.closed;
    const closedAt = Date.now();
    expect(code).toBe(CloseCode.Forbidden);
    expect(closedAt).toBeGreaterThanOrEqual((exp + LEEWAY_SECONDS) * 1000 - 50);
    expect(closedAt).toBeLessThan((exp + LEEWAY_SECONDS) * 1000 + 1500);
  });

  test('a live notices subscription ends with the socket at expiry', async () => {
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = await forge.devSigned({ exp, claims: { preferred_username: DEMO.caseworker } });
    const live = await subscribe(w.t.wsUrl, token, staffApi.NoticesDocument, {});
    subscribers.push(live as Subscriber<unknown>);
    expect(await live.closed).toBe(CloseCode.Forbidden);
    expect(Date.now()).toBeGreaterThanOrEqual((exp + LEEWAY_SECONDS) * 1000 - 50);
  });
});

describe('WR7 variable errors on the websocket carry no "Did you mean" suggestion', () => {
  const cases: [string, string, Record<string, unknown>][] = [
    [
      'a misspelled input field',
      'mutation ($input: MailboxSettingsInput!) { updateMailboxSettings(input: $input) { signature } }',
      { input: { signatur: 'x' } },
    ],
    [
      'a misspelled enum value',
      'mutation ($id: ID!, $input: UpdateStaffInput!) { updateStaff(id: $id, input: $input) { role } }',
      { id: '00000000-0000-4000-8000-000000000000', input: { role: 'CASEWORKR' } },
    ],
  ];

  test.each(cases)('%s: BAD_USER_INPUT over the websocket, with no hint', async (_what, query, variables) => {
    const s = await socketAs(await w.t.token.staff(DEMO.admin));
    const messages = await run(s, 'v', query, variables);
    expect(messages[0].type).toBe('next');
    expect(messages[0].payload.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(messages[0].payload.errors[0].message).toMatch(/\$(input|id)/);
    expect(JSON.stringify(messages)).not.toMatch(/did you mean/i);
  });

  test.each(cases)('%s: the same over HTTP', async (_what, query, variables) => {
    const res = await fetch(w.t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await w.t.token.staff(DEMO.admin)}` },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    expect(JSON.parse(text).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(text).not.toMatch(/did you mean/i);
  });
});

describe('WR2 a re-check that cannot be made', () => {
  // A query looks its caller up with its own EntityManager, a subscription through the sockets' shared lookups.
  test.each([
    ['an operation', '{ staffMe { name } }'],
    ['a subscription', 'subscription { notices { cursor } }'],
  ])(
    'when the account cannot be looked up (database trouble), %s fails masked and the socket stays open',
    async (_what, query) => {
      const s = await socketAs(await w.t.token.staff(DEMO.caseworker));
      const conn = w.t.em().getConnection();
      await conn.execute('alter table "staff" rename to "staff_away"');
      const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      let messages: WsMessage[];
      try {
        messages = await run(s, 'q', query);
      } finally {
        stderr.mockRestore();
        await conn.execute('alter table "staff_away" rename to "staff"');
      }
      expect(messages).toHaveLength(1);
      expect(messages[0].type).toBe('error');
      expect(messages[0].payload[0].extensions).toEqual({
        code: 'INTERNAL_SERVER_ERROR',
        requestId: expect.any(String),
      });
      expect(JSON.stringify(messages)).not.toMatch(/staff|relation|select/i);
      expect((await run(s, 'again', '{ staffMe { name } }'))[0].payload).toEqual({
        data: { staffMe: { name: 'Marita Aronsson' } },
      });
    },
  );
});

describe('WR2 the sweep: the net under the signals', () => {
  test('an account changed without a signal is found by one statement for all open sockets, and only its sockets are re-checked and closed', async () => {
    const auth = new WebSocketAuth({
      orm: w.t.orm,
      verifier: await createTokenVerifier(w.t.config),
      leewaySeconds: LEEWAY_SECONDS,
      sweepMs: 3_600_000,
    });
    try {
      /** The one thing the auth module does to a socket: close it. */
      const socket = () => ({
        codes: [] as number[],
        close(code: number) {
          this.codes.push(code);
        },
      });
      const bo = socket();
      const marita = socket();
      expect(
        await auth.connect({ authorization: `Bearer ${await w.t.token.staff(DEMO.otherUnitCaseworker)}` }, bo),
      ).not.toBeNull();
      expect(
        await auth.connect({ authorization: `Bearer ${await w.t.token.staff(DEMO.caseworker)}` }, marita),
      ).not.toBeNull();

      w.t.sql.reset();
      await auth.sweep();
      expect(w.t.sql.count()).toBe(1);
      expect([bo.codes, marita.codes]).toEqual([[], []]);

      await w.t.em().nativeUpdate(Staff, { username: DEMO.otherUnitCaseworker }, { active: false });
      await auth.sweep();
      expect(bo.codes).toEqual([CloseCode.Forbidden]);
      expect(marita.codes).toEqual([]);
    } finally {
      auth.close();
      await w.t.em().nativeUpdate(Staff, { username: DEMO.otherUnitCaseworker }, { active: true });
    }
  });
});

describe('WR2 sockets signing in at once share one lookup, made after they asked', () => {
  test('five lookups of one account in one turn cost one statement; a lookup after the account is disabled reads it again and is refused', async () => {
    const lookups = new AccountLookups(w.t.orm);
    const staffLookups = () => w.t.sql.statements.filter((q) => /from "staff"/.test(q)).length;
    const principal = { kind: 'staff' as const, username: DEMO.otherUnitCaseworker };
    try {
      w.t.sql.reset();
      const viewers = await Promise.all(Array.from({ length: 5 }, () => lookups.lookup(principal)));
      expect(viewers.map((v) => v.kind === 'staff' && v.staff.username)).toEqual(
        Array(5).fill(DEMO.otherUnitCaseworker),
      );
      expect(staffLookups()).toBe(1);

      // Nothing is kept from that lookup: the next one reads the account again.
      await w.t.em().nativeUpdate(Staff, { username: DEMO.otherUnitCaseworker }, { active: false });
      w.t.sql.reset();
      await expect(lookups.lookup(principal)).rejects.toBeInstanceOf(AppError);
      expect(staffLookups()).toBe(1);

      // And a socket signing in now is refused.
      const auth = new WebSocketAuth({
        orm: w.t.orm,
        verifier: await createTokenVerifier(w.t.config),
        leewaySeconds: LEEWAY_SECONDS,
        sweepMs: 3_600_000,
      });
      const params = { authorization: `Bearer ${await w.t.token.staff(DEMO.otherUnitCaseworker)}` };
      expect(await auth.connect(params, { close: () => undefined })).toBeNull();
      auth.close();
    } finally {
      await w.t.em().nativeUpdate(Staff, { username: DEMO.otherUnitCaseworker }, { active: true });
    }
  });
});

describe('WR2 the sockets of one account share its re-check', () => {
  test('an account-change signal re-checks every socket of the account with one lookup, and closes them all when it is disabled', async () => {
    let signal!: (change: AccountChange) => void;
    const bus = { onAccountChange: (listener: typeof signal) => ((signal = listener), () => undefined) } as NoticeBus;
    const auth = new WebSocketAuth({
      orm: w.t.orm,
      verifier: await createTokenVerifier(w.t.config),
      leewaySeconds: LEEWAY_SECONDS,
      bus,
      sweepMs: 3_600_000,
    });
    const staffLookups = () => w.t.sql.statements.filter((q) => /from "staff"/.test(q)).length;
    try {
      const token = await w.t.token.staff(DEMO.otherUnitCaseworker);
      const sockets = Array.from({ length: 5 }, () => ({
        codes: [] as number[],
        close(code: number) {
          this.codes.push(code);
        },
      }));
      const auths = [];
      for (const s of sockets) auths.push(await auth.connect({ authorization: `Bearer ${token}` }, s));
      const change = { kind: 'staff' as const, id: w.staffId[DEMO.otherUnitCaseworker] };

      w.t.sql.reset();
      signal(change);
      expect(await Promise.all(auths.map((a) => a!.recheck(0)))).not.toContain(null);
      expect(staffLookups()).toBe(1);
      expect(sockets.map((s) => s.codes)).toEqual([[], [], [], [], []]);

      await w.t.em().nativeUpdate(Staff, { username: DEMO.otherUnitCaseworker }, { active: false });
      w.t.sql.reset();
      signal(change);
      await Promise.all(auths.map((a) => a!.recheck(0)));
      expect(staffLookups()).toBe(1);
      expect(sockets.map((s) => s.codes)).toEqual(sockets.map(() => [CloseCode.Forbidden]));
    } finally {
      auth.close();
      await w.t.em().nativeUpdate(Staff, { username: DEMO.otherUnitCaseworker }, { active: true });
    }
  });
});
