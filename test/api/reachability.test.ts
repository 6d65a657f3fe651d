import { randomUUID } from 'node:crypto';
import {
  buildSchema,
  getNamedType,
  isNonNullType,
  isObjectType,
  parse,
  type GraphQLField,
  type GraphQLSchema,
} from 'graphql';
import { DEMO, seedDemoConversations } from '../../src/db/demo-data';
import { Assignment, Case } from '../../src/entities/case';
import { Staff } from '../../src/entities/staff';
import { getSchema } from '../../src/schema';
import { postRaw } from '../testkit/api';
import { download, makePdf, upload } from '../testkit/files';
import { addCaseHolder, isoDay, newPersonnummer } from '../testkit/messaging';
import {
  isConnection,
  isEdge,
  judgeReached,
  reachedIn,
  reportViolations,
  SelectionBuilder,
  type Reached,
  type Violation,
} from '../testkit/reachability';
import { subscribe } from '../testkit/subscriptions';
import { demoWorld, type DemoWorld } from '../testkit/world';

/**
 * R1–R5 and M6 on every path: the reachability test. For every role of the demo
 * world, every path from every root field through every object-returning
 * field (generated from the executable schema, so a new field is walked
 * without anyone writing a test for it) may reach an instance of a sensitive
 * type only when the root query for that object would return it to the same
 * caller. All violations are collected and reported as (role, type, instance,
 * path), plus the edge where each path first left what the caller may see.
 *
 * How paths are generated: from each Query field (and the Subscription's
 * `notices`, replayed from a cursor over graphql-ws), every field whose type
 * is an object is followed, up to MAX_HOPS object edges below the root's
 * object, never the same edge (Type.field) twice on one path; connection
 * wrappers (XConnection.nodes, edges.node) cost no hop, and edges.node is
 * selected by identity only since it is the same list as nodes. Each object
 * is selected by `id` (or, without one, by its argument-free leaf fields).
 * One document per (role, root field), every argument value as an alias over
 * one shared fragment; a root that refuses one alias nulls the whole answer
 * (its fields are non-null), so such a batch is retried alias by alias.
 *
 * How root arguments are chosen: ROOT_ARGS below, from the arranged world
 * (every id of the kind the argument takes, `first: 100`, each role's own
 * notice cursor); a root field with a required argument that is neither there
 * nor in UNFILLABLE fails the test, so it cannot be skipped in silence.
 * Mutations are not walked (they would change the world under the test);
 * their payload types are the same types, walked from the queries.
 *
 * The oracle (SENSITIVE below): per role, what the roots answer when asked
 * for each object directly (person(id) / me, case(id), conversation(id),
 * caseDocument(id), caseJournal(caseId), drafts, myContacts, myAssignments,
 * GET /attachments/:id), asked one by one before the walk; an object without
 * a root of its own is judged by the root of the object it belongs to, whose
 * id is read from the database, never from the path that reached it.
 *
 * Not walked: paths longer than MAX_HOPS or repeating an edge, and the
 * filtering variants of optional arguments (folder, unreadOnly, search,
 * interventionId: each a subset of the unfiltered list that is walked).
 */

/** Object edges followed below a root's object: enough for conversation → messages → journalEntries → case → relations → person → cases. */
const MAX_HOPS = 6;

/** The server's abuse limits, raised for this test only: its documents are large by design. */
const LIMITS = {
  GRAPHQL_MAX_DEPTH: '60',
  GRAPHQL_MAX_ALIASES: '2000',
  GRAPHQL_MAX_TOKENS: '500000',
  GRAPHQL_MAX_COST: '100000000',
};

/**
 * Root fields (`Query.name`) with required arguments the test cannot fill, with the reason. Empty today: every
 * required root argument is an id of the arranged world (see ROOT_ARGS). The first test fails on any other.
 */
const UNFILLABLE: Record<string, string> = {};

/**
 * Object fields below the roots the generator cannot follow (required arguments, abstract types), with the
 * reason. Empty today: no object field below a root takes a required argument and the schema has no
 * interfaces or unions. The first test fails when the generator meets one that is not declared here.
 */
const UNFOLLOWABLE: Record<string, string> = {};

/**
 * The roles, from the demo world: caseworker mararo01 (Tolvan's case), her
 * colleague annekh01 (Sanna's own caseworker: the one who sees a protected
 * identity's contact details), bobarn01 of another unit (copied on Marita's
 * message to Tolvan; Kalle's case, with Sanna registered on it), executor
 * perutf01 (an ongoing assignment on Tolvan's case and an ended one on
 * Ebba's), administrator sysadm01, the case holder Tolvan, a relation before
 * activation (Rut, registered, never activated), after activation (Josefine),
 * after deactivation (Dag) and past its validTo (Vera), and another citizen
 * (Kalle, another unit's case holder).
 */
type RoleName =
  | 'caseworker'
  | 'sameUnitCaseworker'
  | 'otherUnitCaseworker'
  | 'executor'
  | 'admin'
  | 'holder'
  | 'relationNotActivated'
  | 'relationActivated'
  | 'relationDeactivated'
  | 'relationExpired'
  | 'otherCitizen';

interface Role {
  name: RoleName;
  who: string;
  token: string;
  /** Where this role's notices start: before the arranged world was made. */
  noticeCursor: string;
}

/** What the roots answer to one role: the oracle. */
interface RootView {
  persons: Set<string>;
  /** Per visible person: which contact details the root shows (R3). */
  contact: Map<string, { address: boolean; mobile: boolean; email: boolean }>;
  cases: Set<string>;
  conversations: Set<string>;
  caseDocuments: Set<string>;
  journalEntries: Set<string>;
  drafts: Set<string>;
  contacts: Set<string>;
  myAssignments: Set<string>;
  attachments: Set<string>;
  registerExtracts: Set<string>;
  readsAccessLog: boolean;
  readsFailedNotifications: boolean;
  readsLegalHolds: boolean;
}

/** Ids and owners of everything in the arranged world, read from the database (never through the API's edges). */
interface Inventory {
  persons: string[];
  cases: string[];
  conversations: string[];
  messages: string[];
  caseDocuments: string[];
  assignments: string[];
  attachments: string[];
  caseOf: Map<string, string>;
  /** Case document PDF id → its document. */
  documentOfPdf: Map<string, string>;
  conversationOf: Map<string, string>;
  messageOfEvent: Map<string, string>;
  /** Conversation id → party keys (`PERSON:<id>`, …) of its participants. */
  participants: Map<string, Set<string>>;
  label: Map<string, string>;
}

/**
 * The sensitive types: every object type that holds person, case, journal,
 * message or attachment data. Each says which root decides whether a caller
 * may see an instance (`check` answers the instance's key and that verdict;
 * null means the instance carries nothing to check, e.g. a staff Party).
 */
interface Sensitive {
  why: string;
  check(r: Reached, view: RootView, inv: Inventory): { key: string; visible: boolean } | null;
}

const messageVisible = (id: string | undefined, view: RootView, inv: Inventory) =>
  !!id && view.conversations.has(inv.conversationOf.get(id) ?? '');
const caseVisible = (id: string | undefined, view: RootView) => !!id && view.cases.has(id);

const SENSITIVE: Record<string, Sensitive> = {
  Person: {
    why: 'a person known to the social services (name, personnummer, protection flags); root: person(id) for staff, me for a citizen',
    check: (r, view) => ({ key: r.obj.id, visible: view.persons.has(r.obj.id) }),
  },
  Address: {
    why: "a person's postal address; shown on a path only when person(id) / me shows it to the same caller (R3: protected identity)",
    check: (r, view) => {
      const owner = r.parent?.type === 'Person' ? r.parent.obj.id : undefined;
      return { key: `address of ${owner}`, visible: !!owner && !!view.contact.get(owner)?.address };
    },
  },
  Case: {
    why: "a case in a person's file; root: case(id)",
    check: (r, view) => ({ key: r.obj.id, visible: caseVisible(r.obj.id, view) }),
  },
  Intervention: {
    why: 'part of a case (insats); no root of its own: visible when case(id) answers for its case',
    check: (r, view, inv) => ({ key: r.obj.id, visible: caseVisible(inv.caseOf.get(r.obj.id), view) }),
  },
  Relation: {
    why: 'a person registered on a case; no root of its own: visible when case(id) answers for its case',
    check: (r, view, inv) => ({ key: r.obj.id, visible: caseVisible(inv.caseOf.get(r.obj.id), view) }),
  },
  Assignment: {
    why: "an executor's assignment for a person; visible when case(id) answers for its case, or it is in myAssignments",
    check: (r, view, inv) => ({
      key: r.obj.id,
      visible: caseVisible(inv.caseOf.get(r.obj.id), view) || view.myAssignments.has(r.obj.id),
    }),
  },
  JournalEntry: {
    why: "an entry in a person's file; visible when it is in caseJournal(caseId) of its case for the same caller (so an executor sees only their own assignment's entries)",
    check: (r, view) => ({ key: r.obj.id, visible: view.journalEntries.has(r.obj.id) }),
  },
  CaseDocument: {
    why: 'a document in a case (dokumentation); root: caseDocument(id)',
    check: (r, view) => ({ key: r.obj.id, visible: view.caseDocuments.has(r.obj.id) }),
  },
  CaseDocumentPdf: {
    why: 'a PDF of a case document (name, who made it); no root of its own: visible when caseDocument(id) answers for its document',
    check: (r, view, inv) => ({
      key: r.obj.id,
      visible: view.caseDocuments.has(inv.documentOfPdf.get(r.obj.id) ?? ''),
    }),
  },
  JournalTarget: {
    why: 'names a case, intervention or assignment of a person; visible when case(id) answers for its case',
    check: (r, view) => ({
      key: `${r.obj.caseId}/${r.obj.kind}/${r.obj.interventionId ?? r.obj.assignmentId ?? '-'}`,
      visible: caseVisible(r.obj.caseId, view),
    }),
  },
  Conversation: {
    why: 'a thread with a citizen; root: conversation(id)',
    check: (r, view) => ({ key: r.obj.id, visible: view.conversations.has(r.obj.id) }),
  },
  Message: {
    why: 'a message; no root of its own: visible when conversation(id) answers for its conversation',
    check: (r, view, inv) => ({ key: r.obj.id, visible: messageVisible(r.obj.id, view, inv) }),
  },
  MessageEvent: {
    why: "a step in a message's history (who read or downloaded what); visible with its message",
    check: (r, view, inv) => ({ key: r.obj.id, visible: messageVisible(inv.messageOfEvent.get(r.obj.id), view, inv) }),
  },
  ReadReceipt: {
    why: 'who read a message and when; visible with its message (the sender-only rule is a field rule, tested with messaging)',
    check: (r, view, inv) => {
      const message = r.parent?.type === 'Message' ? r.parent.obj.id : undefined;
      return {
        key: `receipt of ${message} for ${r.obj.recipient?.id ?? '?'}`,
        visible: messageVisible(message, view, inv),
      };
    },
  },
  Attachment: {
    why: 'a PDF sent or kept in a draft; root: GET /attachments/:id answers 200 to the same caller',
    check: (r, view) => ({ key: r.obj.id, visible: view.attachments.has(r.obj.id) }),
  },
  Draft: {
    why: 'a message being written, with its addressees; root: drafts',
    check: (r, view) => ({ key: r.obj.id, visible: view.drafts.has(r.obj.id) }),
  },
  Contact: {
    why: "a citizen's caseworker on a case (case title); root: myContacts",
    check: (r, view) => ({ key: r.obj.caseId, visible: view.contacts.has(r.obj.caseId) }),
  },
  Party: {
    why: 'a message party; of kind PERSON it names a citizen: visible when person(id) / me shows the person, or the person takes part in a conversation conversation(id) shows',
    check: (r, view, inv) => {
      if (r.obj.kind !== 'PERSON') return null;
      const key = `PERSON:${r.obj.id}`;
      const inVisibleConversation = [...view.conversations].some((c) => inv.participants.get(c)?.has(key));
      return { key: r.obj.id, visible: view.persons.has(r.obj.id) || inVisibleConversation };
    },
  },
  Notice: {
    why: 'a realtime notice (subject, sender name); of a message: visible with that message (notices without a message carry only a count)',
    check: (r, view, inv) =>
      r.obj.messageId ? { key: `notice ${r.obj.cursor}`, visible: messageVisible(r.obj.messageId, view, inv) } : null,
  },
  AccessLogEntry: {
    why: "who read which person's data; root: accessLog (loggkontroll), all of it for whoever that root answers",
    check: (r, view) => ({ key: r.obj.id, visible: view.readsAccessLog }),
  },
  FailedNotification: {
    why: 'a notification to a person about a message; root: failedNotifications, all of it for whoever that root answers',
    check: (r, view) => ({ key: r.obj.id, visible: view.readsFailedNotifications }),
  },
  LegalHold: {
    why: 'a hold on a case or conversation, with its reason (which may name the matter); root: legalHolds, all of them for whoever that root answers',
    check: (r, view) => ({ key: r.obj.id, visible: view.readsLegalHolds }),
  },
  RegisterExtract: {
    why: "a citizen's register extract (everything held about them, as a download); root: myRegisterExtracts",
    check: (r, view) => ({ key: r.obj.id, visible: view.registerExtracts.has(r.obj.id) }),
  },
};

/** Object types that hold none of that data, and why. A new type must be put in one of the two lists. */
const NOT_SENSITIVE: Record<string, string> = {
  Staff: "a staff member's work identity (name, title, unit), open to all staff through staffDirectory",
  Unit: 'an organisational unit',
  SharedMailbox: "a unit's mailbox and its staff members",
  ContactList: "a staff member's own list of staff and mailboxes (its members are Parties, checked as such)",
  MailboxSettings: "the caller's own signature and out-of-office (the forward-to mailbox is a Party, checked)",
  MailboxSummary: "the caller's own mailbox and its unread count (the mailbox is a Party, checked)",
  DraftAddressees: "the wrapper of a draft's Parties, each checked as a Party",
  NoticePage: 'the wrapper of Notices, each checked',
  EServiceSettings: 'three switches of the Person that holds it, which is checked on the same path',
  PageInfo: 'paging cursors',
  MailboxMembershipChange: 'who added or removed which staff member of a shared mailbox (staff and mailboxes only)',
  RetentionRuleSetting: 'a gallring rule and its period, as configured',
  RetentionRun: 'a gallring run: when, which rule, and counts (RetentionCount) of what it thinned or kept',
  RetentionCount: 'a number of records of one kind',
};

/** Contact details of a Person shown on a path are checked against what person(id) / me shows (R3). */
const CONTACT_FIELDS = ['mobile', 'email'] as const;

let w: DemoWorld;
let schema: GraphQLSchema;
let base: string;
let inv: Inventory;
const roles: Role[] = [];
const views = new Map<RoleName, RootView>();
/** Everything each role reached, and the responses' error codes. */
const reached = new Map<RoleName, Reached[]>();
const errorCodes = new Map<string, number>();
const brokenAnswers: string[] = [];
/** Ids made by the arrangement, for the control assertions. */
const made: Record<string, string> = {};
const probes: string[] = [];
let requests = 0;

async function gql(
  token: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{ data: any; errors: { message: string; extensions?: { code?: string }; path?: (string | number)[] }[] }> {
  requests++;
  const r = await postRaw(w.t.url, { query, variables }, { token });
  if (!r.body) throw new Error(`HTTP ${r.status}: ${r.text.slice(0, 300)}`);
  return { data: r.body.data ?? null, errors: r.body.errors ?? [] };
}

async function ok(token: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const r = await gql(token, query, variables);
  if (r.errors.length || !r.data) throw new Error(`${query.slice(0, 80)}: ${JSON.stringify(r.errors)}`);
  return r.data;
}

async function sql<T = any>(query: string, params: unknown[] = []): Promise<T[]> {
  return w.t.em().getConnection().execute(query, params);
}

/** Runs `fn` over `items`, `n` at a time. */
async function pool<T, R>(items: readonly T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

const literal = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));
const argText = (args: Record<string, unknown>) => {
  const parts = Object.entries(args).filter(([, v]) => v != null);
  return parts.length ? `(${parts.map(([k, v]) => `${k}: ${literal(v)}`).join(', ')})` : '';
};
const argLabel = (args: Record<string, unknown>) => {
  const parts = Object.entries(args).filter(([k, v]) => v != null && k !== 'first');
  return `(${parts.map(([k, v]) => `${k}: ${typeof v === 'string' && inv.label.has(v) ? inv.label.get(v) : k === 'cursor' ? '<own cursor>' : String(v)}`).join(', ')})`;
};

// ---------------------------------------------------------------- the arranged world

const MESSAGE = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id conversationId attachments { id } } }`;
const REPLY = `mutation($m: ID!, $i: ReplyInput!) { replyToMessage(messageId: $m, input: $i) { id attachments { id } } }`;
const JOURNAL = `mutation($m: ID!, $i: JournalInput!) { journalMessage(messageId: $m, input: $i) { id } }`;

async function pdf(token: string, name: string): Promise<string> {
  const r = await upload(base, token, await makePdf(name), name);
  if (r.status !== 201) throw new Error(`upload ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id;
}
const send = async (token: string, input: Record<string, unknown>) =>
  (await ok(token, MESSAGE, { i: { idempotencyKey: randomUUID(), body: `<p>${input.subject}</p>`, ...input } }))
    .sendMessage[0];
const reply = async (token: string, messageId: string, input: Record<string, unknown> = {}) =>
  (await ok(token, REPLY, { m: messageId, i: { idempotencyKey: randomUUID(), body: '<p>Tack.</p>', ...input } }))
    .replyToMessage;
const journal = async (token: string, messageId: string, target: Record<string, string>, heading: string) =>
  (
    await ok(token, JOURNAL, {
      m: messageId,
      i: { target, documentType: 'OUTGOING_DOCUMENT', senderKind: 'STAFF', heading },
    })
  ).journalMessage.id as string;

/**
 * Marita sends Tolvan a decision with a PDF and a read receipt, copying Bo
 * (another unit) and Per (the executor), and journals it; Tolvan reads it and
 * answers with a PDF, which Marita journals; Per writes to Tolvan and journals
 * it under his assignment; a case document is locked and sent, another left
 * editable; drafts with a PDF; a relation registered but not activated; the
 * activated relation Josefine writes with Marita; Bo serves Kalle (his own
 * unit) and registers Sanna (protected identity) as a relation there; Per's
 * assignment for Ebba ends after he wrote to her and journaled it.
 */
async function arrange(tok: Record<string, string>) {
  const em = w.t.em();
  const [ek] = await sql('select id from case_file where title = ? and holder_id = ?', [
    'Ekonomiskt bistånd',
    w.personId[DEMO.tolvan],
  ]);
  const [insats] = await sql('select id from intervention where case_id = ?', [ek.id]);
  const [perAssignment] = await sql('select id from assignment where case_id = ?', [ek.id]);
  const [kalleCase] = await sql('select id from case_file where holder_id = ?', [w.personId[DEMO.otherUnitPerson]]);
  Object.assign(made, { ek: ek.id, insats: insats.id, perAssignment: perAssignment.id, kalleCase: kalleCase.id });
  const tolvan = w.personId[DEMO.tolvan];

  const m1 = await send(tok.marita, {
    to: { personIds: [tolvan], staffIds: [w.staffId[DEMO.otherUnitCaseworker], w.staffId[DEMO.executor]] },
    subject: 'Beslut om bistånd',
    readReceiptRequested: true,
    attachmentIds: [await pdf(tok.marita, 'Beslut.pdf')],
    caseId: ek.id,
  });
  Object.assign(made, { m1: m1.id, c1: m1.conversationId, a1: m1.attachments[0].id });
  await ok(tok.tolvan, 'mutation($m: ID!) { markMessageRead(messageId: $m) { id } }', { m: m1.id });
  const m2 = await reply(tok.tolvan, m1.id, { attachmentIds: [await pdf(tok.tolvan, 'Kontoutdrag.pdf')] });
  Object.assign(made, { m2: m2.id, a2: m2.attachments[0].id });
  made.j1 = await journal(tok.marita, m1.id, { caseId: ek.id, interventionId: insats.id }, 'Beslut skickat');
  made.j2 = (
    await ok(
      tok.marita,
      'mutation($a: ID!, $i: JournalInput!) { journalAttachment(attachmentId: $a, input: $i) { id } }',
      {
        a: m2.attachments[0].id,
        i: {
          target: { caseId: ek.id },
          documentType: 'INCOMING_DOCUMENT',
          senderKind: 'INDIVIDUAL',
          heading: 'Kontoutdrag från klient',
        },
      },
    )
  ).journalAttachment.id;

  const m3 = await send(tok.per, { to: { personIds: [tolvan] }, subject: 'Budgetmöte' });
  Object.assign(made, { m3: m3.id, c3: m3.conversationId });
  made.j3 = await journal(tok.per, m3.id, { caseId: ek.id, assignmentId: perAssignment.id }, 'Kallelse budgetmöte');

  const d1 = (
    await ok(
      tok.marita,
      'mutation($c: ID!, $i: CaseDocumentInput!) { createCaseDocument(caseId: $c, input: $i) { id } }',
      { c: ek.id, i: { title: 'Kallelse till möte', type: 'LETTER', text: 'Välkommen på möte.' } },
    )
  ).createCaseDocument.id;
  await ok(tok.marita, 'mutation($id: ID!) { lockCaseDocument(id: $id) { id } }', { id: d1 });
  await ok(
    tok.marita,
    'mutation($id: ID!, $i: CreateCaseDocumentPdfInput!) { createCaseDocumentPdf(documentId: $id, input: $i) { id } }',
    { id: d1, i: { template: 'KALLELSE', name: 'Kallelse till möte' } },
  );
  made.m4 = (
    await ok(
      tok.marita,
      'mutation($id: ID!, $i: SendCaseDocumentInput!) { sendCaseDocument(id: $id, input: $i) { id } }',
      { id: d1, i: { idempotencyKey: randomUUID() } },
    )
  ).sendCaseDocument.id;
  made.d1 = d1;
  made.d2 = (
    await ok(
      tok.marita,
      'mutation($c: ID!, $i: CaseDocumentInput!) { createCaseDocument(caseId: $c, input: $i) { id } }',
      { c: ek.id, i: { title: 'Utredning pågår', type: 'INVESTIGATION', text: 'Under arbete.' } },
    )
  ).createCaseDocument.id;

  const REGISTER =
    'mutation($c: ID!, $i: RegisterRelationInput!) { registerRelation(caseId: $c, input: $i) { id person { id } } }';
  const rutPnr = newPersonnummer();
  const rut = (
    await ok(tok.marita, REGISTER, {
      c: ek.id,
      i: {
        personnummer: rutPnr,
        givenName: 'Rut',
        familyName: 'Relation',
        types: ['APPROVED_FOR_MESSAGES'],
        validFrom: isoDay(0),
      },
    })
  ).registerRelation;
  Object.assign(made, { rutRelation: rut.id, rut: rut.person.id, rutPnr });
  made.sannaRelation = (
    await ok(tok.bo, REGISTER, {
      c: kalleCase.id,
      i: { personnummer: DEMO.protectedPerson, types: ['RELATIVE'], validFrom: isoDay(-1) },
    })
  ).registerRelation.id;

  const m5 = await send(tok.marita, {
    to: { personIds: [w.personId[DEMO.relation]] },
    subject: 'Till god man',
    caseId: ek.id,
  });
  Object.assign(made, { m5: m5.id, c5: m5.conversationId });
  made.m6 = (await reply(tok.josefine, m5.id)).id;

  // Dag was an activated relation who wrote with Marita, then was deactivated.
  const dagPnr = newPersonnummer();
  const dag = (
    await ok(tok.marita, REGISTER, {
      c: ek.id,
      i: {
        personnummer: dagPnr,
        givenName: 'Dag',
        familyName: 'Deaktiverad',
        types: ['APPROVED_FOR_MESSAGES'],
        validFrom: isoDay(-5),
      },
    })
  ).registerRelation;
  await ok(
    tok.marita,
    'mutation($r: ID!, $i: ActivateRelationInput!) { activateRelation(relationId: $r, input: $i) { id } }',
    { r: dag.id, i: { notifyBySms: false, notifyByEmail: false } },
  );
  const m10 = await send(tok.marita, { to: { personIds: [dag.person.id] }, subject: 'Till Dag', caseId: ek.id });
  const dagToken = await w.t.token.citizen(dagPnr);
  Object.assign(made, {
    dagRelation: dag.id,
    dag: dag.person.id,
    m10: m10.id,
    c10: m10.conversationId,
    m11: (await reply(dagToken, m10.id)).id,
  });
  await ok(tok.marita, 'mutation($r: ID!) { deactivateRelation(relationId: $r) { id } }', { r: dag.id });

  // Vera was an activated relation who wrote with Marita; her relation's validTo has passed since.
  const veraPnr = newPersonnummer();
  const vera = (
    await ok(tok.marita, REGISTER, {
      c: ek.id,
      i: {
        personnummer: veraPnr,
        givenName: 'Vera',
        familyName: 'Utgången',
        types: ['APPROVED_FOR_MESSAGES'],
        validFrom: isoDay(-30),
      },
    })
  ).registerRelation;
  await ok(
    tok.marita,
    'mutation($r: ID!, $i: ActivateRelationInput!) { activateRelation(relationId: $r, input: $i) { id } }',
    { r: vera.id, i: { notifyBySms: false, notifyByEmail: false } },
  );
  const m12 = await send(tok.marita, { to: { personIds: [vera.person.id] }, subject: 'Till Vera', caseId: ek.id });
  const veraToken = await w.t.token.citizen(veraPnr);
  Object.assign(made, {
    veraRelation: vera.id,
    vera: vera.person.id,
    m12: m12.id,
    c12: m12.conversationId,
    m13: (await reply(veraToken, m12.id)).id,
  });
  await sql('update relation set valid_to = ? where id = ?', [isoDay(-1), vera.id]);

  await ok(tok.bo, 'mutation($p: ID!, $i: EServiceInput!) { setEService(personId: $p, input: $i) { id } }', {
    p: w.personId[DEMO.otherUnitPerson],
    i: { messagingEnabled: true, notifyBySms: false, notifyByEmail: false },
  });
  const m7 = await send(tok.bo, {
    to: { personIds: [w.personId[DEMO.otherUnitPerson]] },
    subject: 'Utredningsmöte',
    caseId: kalleCase.id,
  });
  Object.assign(made, { m7: m7.id, c7: m7.conversationId });
  made.j4 = await journal(tok.bo, m7.id, { caseId: kalleCase.id }, 'Kallelse utredning');
  made.m8 = (await reply(tok.kalle, m7.id)).id;
  made.d3 = (
    await ok(tok.bo, 'mutation($c: ID!, $i: CaseDocumentInput!) { createCaseDocument(caseId: $c, input: $i) { id } }', {
      c: kalleCase.id,
      i: { title: 'Utredningsplan', type: 'INVESTIGATION', text: 'Plan.' },
    })
  ).createCaseDocument.id;

  // Per documents in his assignment for Tolvan (a PDF made from it), as executors do.
  const EXEC_DOC = 'mutation($c: ID!, $i: CaseDocumentInput!) { createCaseDocument(caseId: $c, input: $i) { id } }';
  const execDoc = async (caseId: string, assignmentId: string, title: string) => {
    const id = (await ok(tok.per, EXEC_DOC, { c: caseId, i: { title, type: 'DOCUMENT', text: 'Plan.', assignmentId } }))
      .createCaseDocument.id as string;
    await ok(tok.per, 'mutation($id: ID!) { lockCaseDocument(id: $id) { id } }', { id });
    await ok(
      tok.per,
      'mutation($id: ID!, $i: CreateCaseDocumentPdfInput!) { createCaseDocumentPdf(documentId: $id, input: $i) { id } }',
      { id, i: { template: 'GENOMFORANDEPLAN', name: title } },
    );
    return id;
  };
  made.d4 = await execDoc(ek.id, perAssignment.id, 'Genomförandeplan budget');

  // Per's assignment for Ebba ends after he wrote to her, journaled it and documented in it: what he gave stays, his access does not.
  const ebba = await addCaseHolder(em, DEMO.caseworker, { givenName: 'Ebba', familyName: 'Avslutad' });
  const per = await em.findOneOrFail(Staff, { username: DEMO.executor });
  const ended = em.create(Assignment, {
    case: em.getReference(Case, ebba.caseId),
    executor: per,
    description: 'Stödsamtal',
    startDate: isoDay(-20),
  });
  await em.flush();
  Object.assign(made, { ebba: ebba.person.id, ebbaCase: ebba.caseId, endedAssignment: ended.id });
  const m9 = await send(tok.per, { to: { personIds: [ebba.person.id] }, subject: 'Stödsamtal' });
  Object.assign(made, { m9: m9.id, c9: m9.conversationId });
  made.j5 = await journal(tok.per, m9.id, { caseId: ebba.caseId, assignmentId: ended.id }, 'Stödsamtal genomfört');
  made.d5 = await execDoc(ebba.caseId, ended.id, 'Genomförandeplan stödsamtal');
  await sql('update assignment set end_date = ? where id = ?', [isoDay(-1), ended.id]);

  const SAVE = 'mutation($i: SaveDraftInput!) { saveDraft(input: $i) { id } }';
  made.draftMarita = (
    await ok(tok.marita, SAVE, {
      i: {
        to: { personIds: [tolvan] },
        subject: 'Utkast till Tolvan',
        caseId: ek.id,
        attachmentIds: [await pdf(tok.marita, 'Utkast.pdf')],
      },
    })
  ).saveDraft.id;
  made.draftTolvan = (
    await ok(tok.tolvan, SAVE, { i: { replyToMessageId: m1.id, body: '<p>Jag återkommer.</p>' } })
  ).saveDraft.id;
  made.extract = (await ok(tok.tolvan, 'mutation { requestRegisterExtract { id } }')).requestRegisterExtract.id;
  made.hold = (
    await ok(tok.admin, 'mutation($i: PlaceLegalHoldInput!) { placeLegalHold(input: $i) { id } }', {
      i: { conversationId: m1.conversationId, reason: 'JO:s begäran, dnr 1234-2026' },
    })
  ).placeLegalHold.id;
  // Drafts addressed to a person the writer may not see (R5: a draft is no way around it): kept when accepted, so their addressees are walked.
  for (const [who, t, to, name] of [
    ['otherUnitCaseworker', tok.bo, ebba.person.id, "Ebba (another unit's case holder)"],
    ['holder', tok.tolvan, w.personId[DEMO.protectedPerson], 'Sanna (protected identity)'],
  ] as const) {
    const r = await gql(t, SAVE, { i: { to: { personIds: [to] }, subject: 'Prov' } });
    probes.push(
      `probe: ${who} saveDraft to ${name}: ${r.errors.length ? `refused ${r.errors.map((e) => e.extensions?.code).join(',')}` : 'accepted'}`,
    );
  }
  return { rutPnr, dagToken, veraToken };
}

async function inventory(): Promise<Inventory> {
  const label = new Map<string, string>();
  const ids = async (q: string, name: (r: any) => string) => {
    const rows = await sql(q);
    for (const r of rows) label.set(r.id, name(r));
    return rows;
  };
  const persons = await ids(
    'select id, given_name, family_name from person',
    (r) => `${r.given_name} ${r.family_name}`,
  );
  const cases = await ids(
    'select c.id, c.title, p.given_name from case_file c join person p on p.id = c.holder_id',
    (r) => `case "${r.title}" of ${r.given_name}`,
  );
  const conversations = await ids('select id, subject from conversation', (r) => `conversation "${r.subject}"`);
  const messages = await ids('select id, subject, conversation_id from message', (r) => `message "${r.subject}"`);
  const documents = await ids('select id, title from case_document', (r) => `document "${r.title}"`);
  const pdfs = await ids('select id, name, document_id from case_document_pdf', (r) => `PDF "${r.name}"`);
  const attachments = await ids('select id, filename from attachment', (r) => `attachment ${r.filename}`);
  const entries = await ids('select id, heading, case_id from journal_entry', (r) => `journal entry "${r.heading}"`);
  const interventions = await ids('select id, code, case_id from intervention', (r) => `intervention ${r.code}`);
  const relations = await ids(
    'select r.id, r.case_id, p.given_name from relation r join person p on p.id = r.person_id',
    (r) => `relation ${r.given_name}`,
  );
  const assignments = await ids(
    'select id, description, case_id from assignment',
    (r) => `assignment "${r.description}"`,
  );
  await ids('select id, subject from draft', (r) => `draft "${r.subject}"`);
  const events = await ids('select id, kind, message_id from message_event', (r) => `event ${r.kind}`);
  const participants = new Map<string, Set<string>>();
  for (const p of await sql('select conversation_id, party_key from conversation_participant')) {
    if (!participants.has(p.conversation_id)) participants.set(p.conversation_id, new Set());
    participants.get(p.conversation_id)!.add(p.party_key);
  }
  const caseOf = new Map<string, string>(
    [...entries, ...interventions, ...relations, ...assignments].map((r) => [r.id, r.case_id]),
  );
  return {
    persons: persons.map((r) => r.id),
    cases: cases.map((r) => r.id),
    conversations: conversations.map((r) => r.id),
    messages: messages.map((r) => r.id),
    caseDocuments: documents.map((r) => r.id),
    assignments: assignments.map((r) => r.id),
    documentOfPdf: new Map(pdfs.map((r) => [r.id, r.document_id])),
    attachments: attachments.map((r) => r.id),
    caseOf,
    conversationOf: new Map(messages.map((r) => [r.id, r.conversation_id])),
    messageOfEvent: new Map(events.map((r) => [r.id, r.message_id])),
    participants,
    label,
  };
}

// ---------------------------------------------------------------- the oracle: what the roots answer

async function rootView(role: Role): Promise<RootView> {
  const t = role.token;
  const succeeds = async (query: string) => {
    const r = await gql(t, query);
    return r.errors.length === 0 && r.data != null ? r.data : null;
  };
  const view: RootView = {
    persons: new Set(),
    contact: new Map(),
    cases: new Set(),
    conversations: new Set(),
    caseDocuments: new Set(),
    journalEntries: new Set(),
    drafts: new Set(),
    contacts: new Set(),
    myAssignments: new Set(),
    attachments: new Set(),
    registerExtracts: new Set(),
    readsAccessLog: false,
    readsFailedNotifications: false,
    readsLegalHolds: false,
  };
  const PERSON = '{ id address { street postalCode city } mobile email }';
  const seePerson = (p: any) => {
    if (!p) return;
    view.persons.add(p.id);
    view.contact.set(p.id, { address: p.address != null, mobile: p.mobile != null, email: p.email != null });
  };
  seePerson((await succeeds(`{ me ${PERSON} }`))?.me);
  await pool(inv.persons, 4, async (id) => seePerson((await succeeds(`{ person(id: "${id}") ${PERSON} }`))?.person));
  await pool(inv.cases, 4, async (id) => {
    if (await succeeds(`{ case(id: "${id}") { id } }`)) view.cases.add(id);
    const journal = await succeeds(
      `{ caseJournal(caseId: "${id}", first: 100) { nodes { id } pageInfo { hasNextPage } } }`,
    );
    if (journal?.caseJournal.pageInfo.hasNextPage) throw new Error('more than 100 journal entries: page through them');
    for (const e of journal?.caseJournal.nodes ?? []) view.journalEntries.add(e.id);
  });
  await pool(
    inv.conversations,
    4,
    async (id) => void ((await succeeds(`{ conversation(id: "${id}") { id } }`)) && view.conversations.add(id)),
  );
  await pool(
    inv.caseDocuments,
    4,
    async (id) => void ((await succeeds(`{ caseDocument(id: "${id}") { id } }`)) && view.caseDocuments.add(id)),
  );
  await pool(inv.attachments, 4, async (id) => {
    requests++;
    if ((await download(base, t, `/attachments/${id}`)).status === 200) view.attachments.add(id);
  });
  for (const d of (await succeeds('{ drafts(first: 100) { nodes { id } } }'))?.drafts.nodes ?? [])
    view.drafts.add(d.id);
  for (const c of (await succeeds('{ myContacts { caseId } }'))?.myContacts ?? []) view.contacts.add(c.caseId);
  for (const a of (await succeeds('{ myAssignments(includeEnded: true) { id } }'))?.myAssignments ?? [])
    view.myAssignments.add(a.id);
  view.readsAccessLog = !!(await succeeds(`{ accessLog(first: 1, personnummer: "${DEMO.tolvan}") { nodes { id } } }`));
  view.readsFailedNotifications = !!(await succeeds('{ failedNotifications { id } }'));
  view.readsLegalHolds = !!(await succeeds('{ legalHolds(includeReleased: true) { id } }'));
  for (const e of (await succeeds('{ myRegisterExtracts { id } }'))?.myRegisterExtracts ?? [])
    view.registerExtracts.add(e.id);
  return view;
}

// ---------------------------------------------------------------- the walk

/** Argument sets for root fields, from the arranged world. Fields with no required argument get `{}` (plus `first: 100`). */
const ROOT_ARGS: Partial<Record<string, (role: Role) => Record<string, unknown>[]>> = {
  person: () => inv.persons.map((id) => ({ id })),
  case: () => inv.cases.map((id) => ({ id })),
  caseDocument: () => inv.caseDocuments.map((id) => ({ id })),
  caseDocuments: () => inv.cases.map((caseId) => ({ caseId })),
  assignmentDocuments: () => inv.assignments.map((assignmentId) => ({ assignmentId })),
  caseJournal: () => inv.cases.map((caseId) => ({ caseId, first: 100 })),
  conversation: () => inv.conversations.map((id) => ({ id })),
  conversations: () => [{ first: 100 }, { first: 100, sharedMailboxId: w.mailboxId }],
  journalTargets: () => inv.messages.map((messageId) => ({ messageId })),
  noticesSince: (role) => [{ cursor: role.noticeCursor }],
  accessLog: () => [{ first: 100 }, { first: 100, personnummer: DEMO.tolvan }],
  sharedMailboxMembershipChanges: () => [{ mailboxId: w.mailboxId }],
  /** Ended assignments too: listed with their own fields only (their `case` answers NOT_FOUND, which refuses such an alias whole). */
  myAssignments: () => [{}, { includeEnded: true }],
};

const requiredArgs = (f: GraphQLField<unknown, unknown>) =>
  f.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined).map((a) => a.name);

/** Root fields that return objects, with the argument sets to call them with (those with required arguments nobody fills are left to the first test). */
function rootCalls(role: Role): { field: string; type: string; args: Record<string, unknown>[] }[] {
  const calls = [];
  for (const f of Object.values(schema.getQueryType()!.getFields())) {
    const type = getNamedType(f.type);
    if (!isObjectType(type)) continue;
    const supplier = ROOT_ARGS[f.name];
    if (!supplier && requiredArgs(f).length) continue;
    const args = supplier ? supplier(role) : [f.args.some((a) => a.name === 'first') ? { first: 100 } : {}];
    calls.push({ field: f.name, type: type.name, args });
  }
  return calls;
}

function builder() {
  return new SelectionBuilder(schema, {
    maxHops: MAX_HOPS,
    extraLeaves: { Person: CONTACT_FIELDS, Party: ['kind', 'name'] },
  });
}

/** Runs every root call of a role; returns everything reached. */
async function walk(role: Role): Promise<Reached[]> {
  const b = builder();
  const out: Reached[] = [];
  const note = (
    errors: { extensions?: { code?: string }; message: string; path?: (string | number)[] }[],
    what: string,
  ) => {
    for (const e of errors) {
      const code = String(e.extensions?.code ?? 'NO_CODE');
      errorCodes.set(code, (errorCodes.get(code) ?? 0) + 1);
      if (
        !['NOT_FOUND', 'FORBIDDEN', 'JOURNALING_FORBIDDEN_FOR_RELATION', 'NO_CASE_FILE', 'BAD_USER_INPUT'].includes(
          code,
        )
      ) {
        brokenAnswers.push(`${role.name} ${what} at ${(e.path ?? []).join('.')}: ${code} ${e.message}`);
      }
    }
  };
  const run = async (field: string, type: string, argSets: Record<string, unknown>[]) => {
    const fragment = `fragment W on ${type} ${b.build(type)}`;
    const doc = (sets: Record<string, unknown>[]) =>
      `query Walk { ${sets.map((a, i) => `a${i}: ${field}${argText(a)} { ...W }`).join(' ')} } ${fragment}`;
    const r = await gql(role.token, doc(argSets));
    if (r.data == null && argSets.length > 1 && r.errors.every((e) => e.path?.length)) {
      // A root that refuses one alias nulls the whole answer (its type is non-null): ask again one by one,
      // except the aliases the root itself refused (an error at exactly that alias), which reach nothing.
      const refused = new Set(r.errors.filter((e) => e.path!.length === 1).map((e) => String(e.path![0])));
      note(
        r.errors.filter((e) => e.path!.length === 1),
        field,
      );
      await pool(
        argSets.filter((_, i) => !refused.has(`a${i}`)),
        3,
        async (a) => {
          const one = await gql(role.token, doc([a]));
          note(one.errors, `${field}${argLabel(a)}`);
          if (one.data) out.push(...reachedIn(schema, one.data.a0, `${field}${argLabel(a)}`, type));
        },
      );
      return;
    }
    note(r.errors, field);
    if (r.data)
      argSets.forEach((a, i) => out.push(...reachedIn(schema, r.data[`a${i}`], `${field}${argLabel(a)}`, type)));
  };
  for (const c of rootCalls(role)) await run(c.field, c.type, c.args);

  // The subscription's payload, replayed over graphql-ws from the role's starting cursor.
  for (const f of Object.values(schema.getSubscriptionType()?.getFields() ?? {})) {
    const type = getNamedType(f.type);
    if (!isObjectType(type)) continue;
    if (f.name !== 'notices') {
      brokenAnswers.push(
        `Subscription.${f.name} is not walked: teach the test which arguments it takes and when its replay is complete`,
      );
      continue;
    }
    const expected = (
      await ok(role.token, `{ noticesSince(cursor: ${literal(role.noticeCursor)}) { notices { cursor } } }`)
    ).noticesSince.notices.length;
    const sub = await subscribe<any, Record<string, unknown>>(
      w.t.wsUrl,
      role.token,
      parse(`subscription($after: String) { notices(after: $after) ${b.build(type.name)} }`) as never,
      { after: role.noticeCursor },
    );
    try {
      await sub.waitFor((events) => events.length >= expected, 5000, `${role.name}'s ${expected} replayed notices`);
      for (const e of sub.events)
        out.push(...reachedIn(schema, e.notices, 'subscription notices(after: <own cursor>)', type.name));
      for (const e of sub.errors) note([e as never], 'subscription notices');
    } finally {
      await sub.close();
    }
  }
  return out;
}

// ---------------------------------------------------------------- judging

const describeKey = (key: string) =>
  inv.label.get(key) ?? key.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, (id) => inv.label.get(id) ?? id);

/** Every reached instance the role's roots would not return, and every contact detail a path shows that the root hides. */
function judge(role: RoleName, items: readonly Reached[], view: RootView): Violation[] {
  return judgeReached(
    role,
    items,
    (r) => SENSITIVE[r.type]?.check(r, view, inv) ?? null,
    (r) => {
      if (r.type !== 'Person' || !view.persons.has(r.obj.id)) return [];
      const shown = view.contact.get(r.obj.id);
      return CONTACT_FIELDS.filter((f) => r.obj[f] != null && !shown?.[f]).map((f) => ({
        type: `Person.${f}`,
        key: r.obj.id,
        path: `${r.path}.${f}`,
        leak: `Person.${f} (R3)`,
      }));
    },
  );
}

const report = (violations: readonly Violation[]) => reportViolations(violations, describeKey);

// ---------------------------------------------------------------- the tests

beforeAll(async () => {
  schema = await getSchema();
  w = await demoWorld(LIMITS);
  base = w.t.url.replace(/\/graphql$/, '');
  const tok: Record<string, string> = {
    marita: await w.t.token.staff(DEMO.caseworker),
    anna: await w.t.token.staff(DEMO.secondCaseworker),
    bo: await w.t.token.staff(DEMO.otherUnitCaseworker),
    per: await w.t.token.staff(DEMO.executor),
    admin: await w.t.token.staff(DEMO.admin),
    tolvan: await w.t.token.citizen(DEMO.tolvan),
    josefine: await w.t.token.citizen(DEMO.relation),
    kalle: await w.t.token.citizen(DEMO.otherUnitPerson),
  };
  // Notice cursors are one global sequence: a cursor from before the arrangement replays every role's notices since.
  const start = (await ok(tok.marita, '{ noticesSince { cursor } }')).noticesSince.cursor as string;
  await seedDemoConversations(w.t.em());
  const { rutPnr, dagToken, veraToken } = await arrange(tok);
  const rut = await w.t.token.citizen(rutPnr);
  inv = await inventory();
  roles.push(
    { name: 'caseworker', who: DEMO.caseworker, token: tok.marita, noticeCursor: start },
    { name: 'sameUnitCaseworker', who: DEMO.secondCaseworker, token: tok.anna, noticeCursor: start },
    { name: 'otherUnitCaseworker', who: DEMO.otherUnitCaseworker, token: tok.bo, noticeCursor: start },
    { name: 'executor', who: DEMO.executor, token: tok.per, noticeCursor: start },
    { name: 'admin', who: DEMO.admin, token: tok.admin, noticeCursor: start },
    { name: 'holder', who: DEMO.tolvan, token: tok.tolvan, noticeCursor: start },
    { name: 'relationNotActivated', who: rutPnr, token: rut, noticeCursor: start },
    { name: 'relationActivated', who: DEMO.relation, token: tok.josefine, noticeCursor: start },
    { name: 'relationDeactivated', who: 'Dag', token: dagToken, noticeCursor: start },
    { name: 'relationExpired', who: 'Vera', token: veraToken, noticeCursor: start },
    { name: 'otherCitizen', who: DEMO.otherUnitPerson, token: tok.kalle, noticeCursor: start },
  );
  for (const role of roles) views.set(role.name, await rootView(role));
  for (const role of roles) reached.set(role.name, await walk(role));
  // Reading made new rows (download and read events, access-log entries): their owners, for judging.
  inv = await inventory();
}, 180_000);
afterAll(() => w?.close());

describe('R1–R5, M6: no path through the graph reaches what the root refuses', () => {
  test('every object type is classified, and every object field the walk cannot follow is declared with a reason', () => {
    const types = Object.values(schema.getTypeMap()).filter(
      (t) =>
        isObjectType(t) &&
        !t.name.startsWith('__') &&
        ![schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].includes(t),
    );
    const unclassified = types
      .filter(
        (t) =>
          isObjectType(t) && !isConnection(t) && !isEdge(t) && !(t.name in SENSITIVE) && !(t.name in NOT_SENSITIVE),
      )
      .map((t) => t.name);
    if (unclassified.length)
      throw new Error(
        `New object types: put each in SENSITIVE (with the root that decides who sees it) or NOT_SENSITIVE (with why): ${unclassified.join(', ')}`,
      );
    expect(Object.keys(SENSITIVE).filter((n) => !schema.getType(n))).toEqual([]);

    const b = builder();
    for (const t of types) if (isObjectType(t)) b.build(t.name);
    const unfollowed = Object.fromEntries(b.uncovered);
    const undeclared = Object.keys(unfollowed).filter((f) => !(f in UNFOLLOWABLE));
    if (undeclared.length)
      throw new Error(
        `Object fields the walk cannot follow; teach it or declare them in UNFOLLOWABLE with a reason:\n${undeclared.map((f) => `  ${f}: ${unfollowed[f]}`).join('\n')}`,
      );
    expect(Object.keys(UNFOLLOWABLE).filter((f) => !(f in unfollowed))).toEqual([]);
    const missingArgs = Object.values(schema.getQueryType()!.getFields())
      .filter(
        (f) =>
          isObjectType(getNamedType(f.type)) &&
          requiredArgs(f).length &&
          !ROOT_ARGS[f.name] &&
          !(`Query.${f.name}` in UNFILLABLE),
      )
      .map((f) => `Query.${f.name}(${requiredArgs(f).join(', ')})`);
    if (missingArgs.length)
      throw new Error(
        `Root fields with required arguments nobody fills; add them to ROOT_ARGS or to UNFILLABLE with a reason: ${missingArgs.join(', ')}`,
      );
  });

  test('the oracle answers as the access rules say (roots hold; the walk is judged against them)', () => {
    const v = (r: RoleName) => views.get(r)!;
    const names = (ids: Iterable<string>) => [...ids].map((id) => inv.label.get(id) ?? id).sort();
    const tolvan = w.personId[DEMO.tolvan];
    const sanna = w.personId[DEMO.protectedPerson];
    // R1/R2 on cases: own unit's caseload, the other unit's, an ongoing (not an ended) assignment, nothing for admins and citizens.
    expect(names(v('caseworker').cases)).toEqual(
      names([made.ek, made.ebbaCase, ...inv.cases.filter((c) => inv.label.get(c)!.includes('Sanna'))]),
    );
    expect(names(v('otherUnitCaseworker').cases)).toEqual(names([made.kalleCase]));
    expect(names(v('executor').cases)).toEqual(names([made.ek]));
    expect(names(v('sameUnitCaseworker').cases)).toEqual(names(v('caseworker').cases));
    for (const r of [
      'admin',
      'holder',
      'relationNotActivated',
      'relationActivated',
      'relationDeactivated',
      'relationExpired',
      'otherCitizen',
    ] as const)
      expect(v(r).cases.size).toBe(0);
    // The journal: all of a visible case for caseworkers, only the executor's own assignment's entries in a case still visible.
    expect(names(v('caseworker').journalEntries)).toEqual(names([made.j1, made.j2, made.j3, made.j5]));
    expect(names(v('executor').journalEntries)).toEqual(names([made.j3]));
    expect(names(v('otherUnitCaseworker').journalEntries)).toEqual(names([made.j4]));
    // Persons: Bo sees Kalle and Sanna (a relation on his unit's case) but not Tolvan; Per sees Tolvan, not Ebba once the assignment ended.
    expect(v('otherUnitCaseworker').persons.has(tolvan)).toBe(false);
    expect(v('otherUnitCaseworker').persons.has(sanna)).toBe(true);
    expect(v('executor').persons.has(tolvan)).toBe(true);
    expect(v('executor').persons.has(made.ebba)).toBe(false);
    expect(v('executor').persons.has(w.personId[DEMO.relation])).toBe(false); // R2: the holder of the assignment, not the case's relations
    expect([...v('holder').persons]).toEqual([tolvan]);
    expect(v('admin').persons.size).toBe(0);
    // R3: Sanna's contact details only to her own caseworker (not Marita, not Bo).
    expect(v('caseworker').contact.get(sanna)).toEqual({ address: false, mobile: false, email: false });
    expect(v('otherUnitCaseworker').contact.get(sanna)).toEqual({ address: false, mobile: false, email: false });
    expect(v('sameUnitCaseworker').contact.get(sanna)).toEqual({ address: true, mobile: true, email: true });
    // Conversations: Bo and Per were copied on Marita's decision; citizens see their own.
    expect(v('otherUnitCaseworker').conversations.has(made.c1)).toBe(true);
    expect(v('executor').conversations.has(made.c1)).toBe(true);
    expect(v('holder').conversations.has(made.c1)).toBe(true);
    expect(v('relationActivated').conversations.has(made.c5)).toBe(true);
    expect(v('relationActivated').conversations.has(made.c1)).toBe(false);
    expect(v('relationNotActivated').conversations.size).toBe(0);
    expect(v('otherCitizen').conversations.has(made.c7)).toBe(true);
    // Attachments: participants download; the uploader their unsent upload.
    expect(v('holder').attachments.has(made.a1)).toBe(true);
    expect(v('otherCitizen').attachments.has(made.a1)).toBe(false);
    // Case documents only in the caseload; an executor's only in his ongoing assignment (not the ended one's).
    expect(names(v('otherUnitCaseworker').caseDocuments)).toEqual(names([made.d3]));
    expect(names(v('executor').caseDocuments)).toEqual(names([made.d4]));
    expect(v('caseworker').caseDocuments.has(made.d4)).toBe(true);
  });

  test('the walk reaches what each role may see along paths below the roots, unflagged (it is not vacuous)', () => {
    const reachedVia = (role: RoleName, id: string, pathPart: string) =>
      reached
        .get(role)!
        .some((r) => (r.obj.id === id || r.obj.caseId === id) && r.hops >= 1 && r.path.includes(pathPart));
    const expectations: [RoleName, string, string][] = [
      ['caseworker', made.j1, '.messages[].journalEntries[]'],
      ['caseworker', made.rutRelation, '.relations[]'],
      ['caseworker', made.insats, '.interventions[]'],
      ['caseworker', made.a2, '.messages[].attachments[]'],
      ['executor', made.j3, '.messages[].journalEntries[]'],
      ['executor', made.perAssignment, 'myAssignments'],
      ['executor', made.d4, 'myAssignments()[].documents[]'],
      ['caseworker', made.d4, '.assignments[].documents[]'],
      ['otherUnitCaseworker', made.j4, '.messages[].journalEntries[]'],
      ['otherUnitCaseworker', made.m1, 'conversation('],
      ['holder', made.a1, '.messages[].attachments[]'],
      ['holder', made.m3, '.messages[]'],
      ['relationActivated', made.m5, '.messages[]'],
      ['otherCitizen', made.m7, '.messages[]'],
    ];
    // The subscription's replay is walked too.
    expect(
      reached
        .get('holder')!
        .some((r) => r.type === 'Notice' && r.path.startsWith('subscription') && r.obj.messageId === made.m1),
    ).toBe(true);
    const missing = expectations
      .filter(([role, id, part]) => !reachedVia(role, id, part))
      .map(([role, id, part]) => `${role} ${inv.label.get(id)} via ${part}`);
    expect(missing).toEqual([]);
    const flagged = expectations.filter(([role, id]) =>
      judge(role, reached.get(role)!, views.get(role)!).some((x) => x.key === id),
    );
    expect(flagged).toEqual([]);
  });

  test('every sensitive type has instances the walk reaches (else the test could not see a leak of it)', () => {
    /** Sensitive types this world has no instance of, and why. */
    const NEVER_REACHED: Record<string, string> = {
      FailedNotification: 'no notification fails here: the test server runs no notification worker',
    };
    const count = new Map<string, number>();
    for (const items of reached.values()) for (const r of items) count.set(r.type, (count.get(r.type) ?? 0) + 1);
    expect(Object.keys(SENSITIVE).filter((t) => !count.get(t) && !(t in NEVER_REACHED))).toEqual([]);
    expect(Object.keys(NEVER_REACHED).filter((t) => count.get(t))).toEqual([]);
  });

  test('a leak is detected: what the caseworker legitimately reaches, judged as the other-unit caseworker, is flagged', () => {
    const found = judge('otherUnitCaseworker', reached.get('caseworker')!, views.get('otherUnitCaseworker')!);
    const keys = new Set(found.map((f) => `${f.type} ${f.key}`));
    for (const k of [
      `JournalEntry ${made.j1}`,
      `Case ${made.ek}`,
      `Relation ${made.rutRelation}`,
      `Intervention ${made.insats}`,
      `Person ${w.personId[DEMO.tolvan]}`,
    ])
      expect(keys).toContain(k);
    expect(found.find((f) => f.type === 'JournalEntry' && f.key === made.j1)!.leak).toMatch(/→ JournalEntry$/);
  });

  test('for every role and every path reaching an instance, it is returned only when the root query for it would be', () => {
    const violations = roles.flatMap((role) => judge(role.name, reached.get(role.name)!, views.get(role.name)!));
    const total = [...reached.values()].reduce((n, r) => n + r.length, 0);
    const perRole = roles.map((role) => {
      const items = reached.get(role.name)!;
      const sensitive = items.filter((r) => SENSITIVE[r.type]?.check(r, views.get(role.name)!, inv));
      return `  ${role.name.padEnd(21)} ${String(items.length).padStart(5)} reached, ${String(sensitive.length).padStart(5)} sensitive (${items.filter((r) => r.path.startsWith('subscription')).length} by subscription), ${violations.filter((v) => v.role === role.name).length} violating paths`;
    });
    console.log(
      `reachability: ${roles.length} roles, ${total} instances reached, ${requests} requests, max ${MAX_HOPS} hops; error codes ${JSON.stringify(Object.fromEntries(errorCodes))}\n` +
        `${perRole.join('\n')}\n${probes.join('\n')}\n${report(violations)}`,
    );
    expect(brokenAnswers).toEqual([]);
    if (violations.length) throw new Error(report(violations));
  });
});

describe('the walk itself, on a small schema', () => {
  const tiny = buildSchema(`
    type Query { case(id: ID!): Case!  cases: CaseConnection! }
    type CaseConnection { nodes: [Case!]!  edges: [CaseEdge!]!  pageInfo: PageInfo! }
    type CaseEdge { cursor: String!  node: Case! }
    type PageInfo { endCursor: String }
    type Case { id: ID!  title: String!  holder: Person!  related: [Case!]!  journal(first: Int!): [Entry!]! }
    type Person { id: ID!  name: String!  cases: [Case!]!  address: Address }
    type Address { street: String  city: String }
    type Entry { id: ID! }
  `);

  test('every object edge is selected up to the hop limit, never the same edge twice on a path; fields it cannot fill are reported', () => {
    const b = new SelectionBuilder(tiny, { maxHops: 3 });
    const sel = b.build('Case');
    expect(sel).toBe(
      '{ __typename id holder { __typename id cases { __typename id related { __typename id } } address { __typename street city } }' +
        ' related { __typename id holder { __typename id cases { __typename id } address { __typename street city } } } }',
    );
    expect(Object.fromEntries(b.uncovered)).toEqual({
      'Case.journal': 'required argument(s) first cannot be filled below the root',
    });
    // A connection costs no hop; its edges carry the nodes' identity only.
    expect(new SelectionBuilder(tiny, { maxHops: 0 }).build('CaseConnection')).toBe(
      '{ __typename nodes { __typename id } edges { node { __typename id } } pageInfo { __typename endCursor } }',
    );
  });

  test('a response is read back into instances with their paths, and a leak is pinned to the edge that entered it', () => {
    const answer = {
      __typename: 'Case',
      id: 'c1',
      holder: {
        __typename: 'Person',
        id: 'p1',
        cases: [{ __typename: 'Case', id: 'c2', related: [{ __typename: 'Case', id: 'c3' }] }],
      },
    };
    const found = reachedIn(tiny, answer, 'case(id: c1)', 'Case');
    expect(found.map((r) => `${r.type} ${r.obj.id} ${r.path} ${r.hops}`)).toEqual([
      'Case c1 case(id: c1) 0',
      'Person p1 case(id: c1).holder 1',
      'Case c2 case(id: c1).holder.cases[] 2',
      'Case c3 case(id: c1).holder.cases[].related[] 3',
    ]);
    const visible = new Set(['c1', 'p1']);
    const violations = judgeReached('someone', found, (r) => ({ key: r.obj.id, visible: visible.has(r.obj.id) }));
    expect(violations.map((v) => [v.key, v.leak])).toEqual([
      ['c2', 'Person.cases → Case'],
      ['c3', 'Person.cases → Case'],
    ]);
    expect(reportViolations(violations)).toContain('someone               Person.cases → Case   (2)');
  });
});
