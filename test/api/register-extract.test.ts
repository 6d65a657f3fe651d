import { randomUUID } from 'node:crypto';
import { unzipSync, strFromU8 } from 'fflate';
import { DEMO } from '../../src/db/demo-data';
import { buildRegisterExtract, startRegisterExtractJobs } from '../../src/domain/register-extract.service';
import { RetentionService } from '../../src/domain/retention.service';
import { RetentionRule } from '../../src/entities/retention-run';
import { Person } from '../../src/entities/person';
import { PostgresBlobStore } from '../../src/storage/blob-store';
import { postRaw } from '../testkit/api';
import { newPersonnummer } from '../testkit/messaging';
import { arrangeConversation, type ArrangedConversation } from '../testkit/records';
import { demoWorld, type DemoWorld } from '../testkit/world';

let w: DemoWorld;
let jobs: { stop(): Promise<void> };
let tolvanToken: string;
let adminToken: string;
let conv: ArrangedConversation;
let sanna: Person;
let josefine: Person;

beforeAll(async () => {
  w = await demoWorld();
  tolvanToken = await w.t.token.citizen(DEMO.tolvan);
  adminToken = await w.t.token.staff(DEMO.admin);
  const em = w.t.em();
  const tolvan = w.personId[DEMO.tolvan];
  const caseId = w.caseId[DEMO.tolvan];
  sanna = await em.findOneOrFail(Person, { personnummer: DEMO.protectedPerson });
  josefine = await em.findOneOrFail(Person, { personnummer: DEMO.relation });
  conv = await arrangeConversation(em, {
    citizenId: tolvan,
    caseId,
    staffId: w.staffId[DEMO.caseworker],
    ageDays: 3,
    messages: 2,
    attachments: 2,
    subject: 'Beslut om bistånd',
    body: 'Hej Tolvan, beslutet är bifogat.',
  });
  // Someone else's conversation: must not appear.
  await arrangeConversation(em, {
    citizenId: sanna.id,
    staffId: w.staffId[DEMO.caseworker],
    ageDays: 3,
    messages: 1,
    subject: 'Sannas ärende',
    body: 'Hemligt innehåll',
  });
  await em
    .getConnection()
    .execute(
      `insert into access_log_entry (id, created_at, actor_id, actor_role, person_id, action, request_id) values (?, now(), ?, 'CASEWORKER', ?, 'CONVERSATION_READ', 'r1')`,
      [randomUUID(), w.staffId[DEMO.caseworker], tolvan],
    );
  jobs = await startRegisterExtractJobs({
    em: () => w.t.em(),
    boss: w.t.runtime.boss,
    config: w.t.config,
    store: new PostgresBlobStore(),
  });
});
afterAll(async () => {
  await jobs.stop();
  await w.close();
});

const gql = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
  const res = await postRaw(w.t.url, { query, variables }, { token });
  return {
    data: res.body?.data,
    codes: (res.body?.errors ?? []).map((e: { extensions?: { code?: string } }) => e.extensions?.code),
    errors: res.body?.errors ?? [],
  };
};
const download = (url: string, token: string) =>
  fetch(new URL(url, w.t.url), { headers: { authorization: `Bearer ${token}` } });

async function whenReady(
  token: string,
  id: string,
): Promise<{ status: string; downloadUrl: string; size: number; sha256: string }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await gql(token, '{ myRegisterExtracts { id status downloadUrl size sha256 requestedAt readyAt } }');
    expect(r.errors).toEqual([]);
    const x = r.data.myRegisterExtracts.find((e: { id: string }) => e.id === id);
    if (x.status !== 'PENDING' || Date.now() > deadline) return x;
    await new Promise((res) => setTimeout(res, 200));
  }
}

test('X1–X4 Tolvan asks for his register extract; the ZIP holds every item and nothing about other people; it downloads once, only for him', async () => {
  const asked = await gql(tolvanToken, 'mutation { requestRegisterExtract { id status downloadUrl } }');
  expect(asked.errors).toEqual([]);
  expect(asked.data.requestRegisterExtract).toMatchObject({ status: 'PENDING', downloadUrl: null });
  const x = await whenReady(tolvanToken, asked.data.requestRegisterExtract.id);
  expect(x.status).toBe('READY');

  // Someone else (another citizen, an administrator) cannot download it.
  const otherCitizen = await w.t.token.citizen(DEMO.relation);
  expect((await download(x.downloadUrl, otherCitizen)).status).toBe(404);
  expect((await download(x.downloadUrl, adminToken)).status).toBe(404);

  const res = await download(x.downloadUrl, tolvanToken);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/zip');
  const zipBytes = Buffer.from(await res.arrayBuffer());
  expect(zipBytes.length).toBe(x.size);
  const files = unzipSync(new Uint8Array(zipBytes));
  const text = strFromU8(files['registerutdrag.json']);
  const json = JSON.parse(text);

  // profile
  expect(json.profile).toMatchObject({ personnummer: DEMO.tolvan, givenName: 'Tolvan', familyName: 'Tolvansson' });
  // cases, with who is registered on them only by relation type and dates
  expect(json.cases).toEqual([
    expect.objectContaining({
      title: 'Ekonomiskt bistånd',
      interventions: [expect.objectContaining({ code: 'EK' })],
      relationsRegistered: [expect.objectContaining({ types: ['APPROVED_FOR_MESSAGES'] })],
    }),
  ]);
  expect(json.relations).toEqual([]);
  // conversations and messages, with senders' names, history and attachments
  const c = json.conversations.find((k: { id: string }) => k.id === conv.conversationId);
  expect(c.subject).toBe('Beslut om bistånd');
  expect(c.messages).toHaveLength(2);
  expect(c.messages[0]).toMatchObject({
    text: 'Hej Tolvan, beslutet är bifogat.',
    senderName: 'Marita Aronsson',
    sentByYou: false,
  });
  expect(c.messages[1]).toMatchObject({ senderName: 'Du', sentByYou: true });
  expect(c.messages[0].history.map((h: { kind: string }) => h.kind)).toEqual(['SENT', 'READ']);
  expect(c.messages[0].attachments).toHaveLength(2);
  for (const [i, a] of c.messages[0].attachments.entries()) {
    const blob = (
      await w.t.em().getConnection().execute('select bytes from attachment_blob where key = ?', [conv.storageKeys[i]])
    )[0].bytes as Buffer;
    expect(Buffer.from(files[a.file])).toEqual(blob);
  }
  // notification deliveries and the access-log rows of who read his data
  expect(json.notificationDeliveries).toEqual([
    expect.objectContaining({ channel: 'sms', messageId: conv.messageIds[0] }),
  ]);
  expect(json.accessLog).toContainEqual(
    expect.objectContaining({ action: 'CONVERSATION_READ', staffName: 'Marita Aronsson', role: 'CASEWORKER' }),
  );
  // nothing about other people: not the protected person, not the relation on his case
  for (const secret of [
    DEMO.protectedPerson,
    DEMO.relation,
    sanna.givenName,
    sanna.familyName,
    sanna.street!,
    'Hemligt innehåll',
    'Sannas ärende',
    josefine.givenName,
    josefine.familyName,
  ]) {
    expect(text).not.toContain(secret);
  }
  expect(Object.keys(files).sort()).toEqual(
    ['registerutdrag.json', ...c.messages[0].attachments.map((a: { file: string }) => a.file)].sort(),
  );

  // Once: then it is gone, and the record says so.
  expect((await download(x.downloadUrl, tolvanToken)).status).toBe(404);
  const after = await gql(tolvanToken, '{ myRegisterExtracts { id status downloadUrl downloadedAt } }');
  expect(after.data.myRegisterExtracts[0]).toMatchObject({ status: 'DOWNLOADED', downloadUrl: null });
  expect(after.data.myRegisterExtracts[0].downloadedAt).toBeTruthy();
});

test('an administrator makes one for a personnummer and downloads it; bad or unknown personnummer refused; staff other than administrators cannot', async () => {
  expect((await gql(adminToken, 'mutation { requestRegisterExtractFor(personnummer: "123") { id } }')).codes).toEqual([
    'BAD_USER_INPUT',
  ]);
  expect(
    (
      await gql(adminToken, 'mutation($p: String!) { requestRegisterExtractFor(personnummer: $p) { id } }', {
        p: newPersonnummer(),
      })
    ).codes,
  ).toEqual(['NOT_FOUND']);
  const caseworker = await w.t.token.staff(DEMO.caseworker);
  expect(
    (await gql(caseworker, `mutation { requestRegisterExtractFor(personnummer: "${DEMO.tolvan}") { id } }`)).codes,
  ).toEqual(['FORBIDDEN']);
  const asked = await gql(adminToken, `mutation { requestRegisterExtractFor(personnummer: "${DEMO.tolvan}") { id } }`);
  expect(asked.errors).toEqual([]);
  const x = await whenReady(adminToken, asked.data.requestRegisterExtractFor.id);
  expect(x.status).toBe('READY');
  expect((await download(x.downloadUrl, tolvanToken)).status).toBe(404);
  const res = await download(x.downloadUrl, adminToken);
  expect(res.status).toBe(200);
  const json = JSON.parse(strFromU8(unzipSync(new Uint8Array(await res.arrayBuffer()))['registerutdrag.json']));
  expect(json.profile.personnummer).toBe(DEMO.tolvan);
  // A protected identity's extract made by an administrator carries no address or contact details.
  const forSanna = await gql(
    adminToken,
    `mutation { requestRegisterExtractFor(personnummer: "${DEMO.protectedPerson}") { id } }`,
  );
  const y = await whenReady(adminToken, forSanna.data.requestRegisterExtractFor.id);
  const sannaJson = JSON.parse(
    strFromU8(
      unzipSync(new Uint8Array(await (await download(y.downloadUrl, adminToken)).arrayBuffer()))['registerutdrag.json'],
    ),
  );
  expect(sannaJson.profile).toMatchObject({
    personnummer: DEMO.protectedPerson,
    protectedIdentity: true,
    street: null,
    postalCode: null,
    city: null,
    mobile: null,
    email: null,
  });
  expect(sanna.street).toBeTruthy();
  expect(JSON.stringify(sannaJson)).not.toContain(sanna.street!);
  const logged = await w.t
    .em()
    .getConnection()
    .execute(
      `select l.action from access_log_entry l join staff s on s.id = l.actor_id where s.username = ? and l.person_id = ?`,
      [DEMO.admin, w.personId[DEMO.tolvan]],
    );
  expect(logged.map((r) => (r as { action: string }).action)).toEqual(['REGISTER_EXTRACT']); // Tolvan's
});

test('an extract not downloaded in time: the REGISTER_EXTRACTS rule removes its file and the record says EXPIRED', async () => {
  const asked = await gql(tolvanToken, 'mutation { requestRegisterExtract { id } }');
  const x = await whenReady(tolvanToken, asked.data.requestRegisterExtract.id);
  expect(x.status).toBe('READY');
  const em = w.t.em();
  const [{ storage_key: key }] = await em
    .getConnection()
    .execute('select storage_key from register_extract where id = ?', [asked.data.requestRegisterExtract.id]);
  await em
    .getConnection()
    .execute(`update register_extract set expires_at = now() - interval '1 minute' where id = ?`, [
      asked.data.requestRegisterExtract.id,
    ]);
  const run = await new RetentionService(w.t.em(), w.t.config.retention).run(RetentionRule.REGISTER_EXTRACTS);
  expect(run!.removed).toEqual({ registerExtracts: 1 });
  expect(run!.period).toBe('7 days after it is ready');
  expect(await em.getConnection().execute('select 1 from attachment_blob where key = ?', [key])).toHaveLength(0);
  expect((await download(x.downloadUrl, tolvanToken)).status).toBe(404);
  const after = await gql(tolvanToken, '{ myRegisterExtracts { id status downloadUrl } }');
  expect(
    after.data.myRegisterExtracts.find((e: { id: string }) => e.id === asked.data.requestRegisterExtract.id),
  ).toMatchObject({ status: 'EXPIRED', downloadUrl: null });
});

test('asking again while one is being made answers that one (a double click makes one ZIP)', async () => {
  const pendingId = randomUUID();
  await w.t
    .em()
    .getConnection()
    .execute(
      `insert into register_extract (id, created_at, person_id, requested_by_person_id, status) values (?, now(), ?, ?, 'PENDING')`,
      [pendingId, josefine.id, josefine.id],
    );
  const token = await w.t.token.citizen(DEMO.relation);
  const again = await gql(token, 'mutation { requestRegisterExtract { id status } }');
  expect(again.errors).toEqual([]);
  expect(again.data.requestRegisterExtract).toEqual({ id: pendingId, status: 'PENDING' });
  expect(
    Number(
      (
        await w.t
          .em()
          .getConnection()
          .execute('select count(*) as n from register_extract where person_id = ?', [josefine.id])
      )[0].n,
    ),
  ).toBe(1);
});

test("a relation's extract names the case they are registered on, never its holder", async () => {
  const { json } = await buildRegisterExtract(w.t.em(), josefine.id);
  expect(json.relations).toEqual([
    expect.objectContaining({ caseTitle: 'Ekonomiskt bistånd', types: ['APPROVED_FOR_MESSAGES'] }),
  ]);
  const text = JSON.stringify(json);
  for (const other of [DEMO.tolvan, 'Tolvansson', 'Storgatan 12']) expect(text).not.toContain(other);
});
