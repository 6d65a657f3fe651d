import type { EntityName, FilterQuery, FindOptions } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { Attachment } from './entities/attachment';
import { Assignment, Intervention } from './entities/case';
import { ContactListEntry } from './entities/contact-list';
import { PartyKind } from './entities/party';
import type { Viewer } from './auth/viewer';
import { loadVisibleCases, loadVisiblePersons, readableJournalEntries } from './domain/access-policy';
import { isId } from './domain/ids';
import { journalEntriesWithin } from './stores/access-policy.store';
import { downloadableAttachmentsById } from './stores/attachment.store';
import { participantsOfConversations, partyNames } from './stores/party.store';
import { Message, MessageEvent, MessageRecipient } from './entities/message';
import { JournalEntry } from './entities/journal-entry';
import { SharedMailboxMember } from './entities/shared-mailbox';
import { Staff } from './entities/staff';
import { Unit } from './entities/unit';

type WithId = { id: string };

/** One query per batch of ids, answers in the order asked. */
export function byIdLoader<T extends WithId>(em: EntityManager, entity: EntityName<T>) {
  return new DataLoader<string, T | undefined>(async (ids) => {
    const rows = await em.find(entity, { id: { $in: [...ids] } } as unknown as FilterQuery<T>);
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id));
  });
}

/** One query per batch of foreign keys, each answered with its (possibly empty) list. */
export function groupLoader<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  fk: keyof T & string,
  orderBy: FindOptions<T>['orderBy'],
  keyOf: (row: T) => string,
) {
  return new DataLoader<string, T[]>(async (keys) => {
    const rows = await em.find(entity, { [fk]: { $in: [...keys] } } as unknown as FilterQuery<T>, { orderBy });
    const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
    for (const row of rows) groups.get(keyOf(row))?.push(row);
    return keys.map((k) => groups.get(k)!);
  });
}

/** A party as listed in a conversation: plain rows, no entities (an inbox page lists hundreds). */
export interface ParticipantRow {
  kind: PartyKind;
  id: string;
}

function participantLoader(em: EntityManager) {
  return new DataLoader<string, ParticipantRow[]>(async (conversationIds) => {
    const rows = await participantsOfConversations(em, { conversationIds: conversationIds.filter(isId) });
    const groups = new Map<string, ParticipantRow[]>(conversationIds.map((k) => [k, []]));
    for (const r of rows) groups.get(r.conversation_id)?.push({ kind: r.kind, id: r.party_id });
    return conversationIds.map((k) => groups.get(k)!);
  });
}

/**
 * Display names (and staff titles) of parties by `KIND:id`, in one statement
 * for all three kinds, without loading whole rows (a person's contact details
 * are not needed to show a name).
 */
export function partyNameLoader(em: EntityManager) {
  return new DataLoader<string, { name: string; title: string | null } | undefined>(async (keys) => {
    const ids = (kind: PartyKind) =>
      keys
        .filter((k) => k.startsWith(`${kind}:`))
        .map((k) => k.slice(kind.length + 1))
        .filter(isId);
    const rows = await partyNames(em, {
      staffIds: ids(PartyKind.STAFF),
      mailboxIds: ids(PartyKind.SHARED_MAILBOX),
      personIds: ids(PartyKind.PERSON),
    });
    const byKey = new Map(rows.map((r) => [r.key, { name: r.name, title: r.title }]));
    return keys.map((k) => byKey.get(k));
  });
}

/**
 * Loaders of the objects that hold case-file data return only what the viewer
 * may see, by the same rules as the root queries (a missing answer reads as
 * NOT_FOUND): this is what guards every edge of the graph that leads to a
 * case, a person or a journal entry, whatever path reached it.
 */
function guardedLoader<T extends WithId>(load: (ids: string[]) => Promise<T[]>) {
  return new DataLoader<string, T | undefined>(async (ids) => {
    const rows = await load([...ids]);
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id));
  });
}

/** Journal entries the viewer may read, grouped by a key column (`message_id`, `corrects_id`). */
function readableEntriesBy(em: EntityManager, viewer: Viewer | null, column: 'message_id' | 'corrects_id') {
  return new DataLoader<string, JournalEntry[]>(async (keys) => {
    const groups = new Map<string, JournalEntry[]>(keys.map((k) => [k, []]));
    if (viewer) {
      const rows = await journalEntriesWithin(em, {
        column,
        keys: keys.filter(isId),
        readable: readableJournalEntries(viewer),
      });
      for (const { key, entry } of rows) groups.get(key)?.push(entry);
    }
    return keys.map((k) => groups.get(k)!);
  });
}

export function createLoaders(em: EntityManager, viewer: Viewer | null = null) {
  const registry = new BatchRegistry();
  return {
    batch: registry.batch.bind(registry),
    staff: byIdLoader(em, Staff),
    unit: byIdLoader(em, Unit),
    /** Persons the viewer may see (R1, R2, R4): what `person(id)` would answer. */
    person: guardedLoader((ids) => (viewer ? loadVisiblePersons(em, viewer, ids) : Promise.resolve([]))),
    /** Cases the viewer may open (R1/R2); none for citizens and administrators. */
    case: guardedLoader((ids) => (viewer ? loadVisibleCases(em, viewer, ids) : Promise.resolve([]))),
    intervention: byIdLoader(em, Intervention),
    assignment: byIdLoader(em, Assignment),
    /** Attachments the viewer may open (the download route's rule): a journaled or drafted file shows only to who may open it. */
    attachment: guardedLoader(async (ids) =>
      viewer && ids.some(isId) ? await downloadableAttachmentsById(em, { ids: ids.filter(isId), viewer }) : [],
    ),
    interventionsByCase: groupLoader(em, Intervention, 'case', { startDate: 'asc', id: 'asc' }, (r) => r.case.id),
    assignmentsByCase: groupLoader(em, Assignment, 'case', { startDate: 'asc', id: 'asc' }, (r) => r.case.id),
    membersByMailbox: groupLoader(
      em,
      SharedMailboxMember,
      'mailbox',
      { createdAt: 'asc', id: 'asc' },
      (r) => r.mailbox.id,
    ),
    message: byIdLoader(em, Message),
    messagesByConversation: groupLoader(
      em,
      Message,
      'conversation',
      { createdAt: 'asc', id: 'asc' },
      (r) => r.conversation.id,
    ),
    participantsByConversation: participantLoader(em),
    partyName: partyNameLoader(em),
    /** Parties already named by a page's own statement (`KIND:id`), answered without a load. */
    shownParties: new Map<string, { kind: PartyKind; id: string; name: string; title: string | null }>(),
    recipientsByMessage: groupLoader(
      em,
      MessageRecipient,
      'message',
      { createdAt: 'asc', id: 'asc' },
      (r) => r.message.id,
    ),
    attachmentsByMessage: groupLoader(em, Attachment, 'message', { createdAt: 'asc', id: 'asc' }, (r) => r.message!.id),
    eventsByMessage: groupLoader(em, MessageEvent, 'message', { createdAt: 'asc', id: 'asc' }, (r) => r.message.id),
    /** Only the entries the viewer may read (the case journal's rule), never the whole file behind a message. */
    journalEntriesByMessage: readableEntriesBy(em, viewer, 'message_id'),
    correctionsOfEntry: readableEntriesBy(em, viewer, 'corrects_id'),
    entriesByContactList: groupLoader(em, ContactListEntry, 'list', { createdAt: 'asc', id: 'asc' }, (r) => r.list.id),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;

/**
 * Ad-hoc batching for field resolvers whose batch function lives in a domain
 * service: one DataLoader per name per request.
 */
export class BatchRegistry {
  private readonly loaders = new Map<string, DataLoader<unknown, unknown>>();

  batch<K, V>(name: string, key: K, fn: (keys: readonly K[]) => Promise<V[]>): Promise<V> {
    let loader = this.loaders.get(name) as DataLoader<K, V> | undefined;
    if (!loader) {
      loader = new DataLoader<K, V>(fn);
      this.loaders.set(name, loader);
    }
    return loader.load(key);
  }
}
