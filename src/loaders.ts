import type { EntityName, FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { Attachment } from './entities/attachment';
import { Assignment, Case, Intervention } from './entities/case';
import { ContactListEntry } from './entities/contact-list';
import { Conversation, ConversationParticipant } from './entities/conversation';
import { Message, MessageEvent, MessageRecipient } from './entities/message';
import { JournalEntry } from './entities/journal-entry';
import { Person } from './entities/person';
import { Relation } from './entities/relation';
import { SharedMailbox, SharedMailboxMember } from './entities/shared-mailbox';
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
  orderBy: Record<string, 'asc' | 'desc'>,
  keyOf: (row: T) => string,
) {
  return new DataLoader<string, T[]>(async (keys) => {
    const rows = await em.find(entity, { [fk]: { $in: [...keys] } } as unknown as FilterQuery<T>, { orderBy } as never);
    const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
    for (const row of rows) groups.get(keyOf(row))?.push(row);
    return keys.map((k) => groups.get(k)!);
  });
}

export function createLoaders(em: EntityManager) {
  const registry = new BatchRegistry();
  return {
    batch: registry.batch.bind(registry),
    staff: byIdLoader(em, Staff),
    unit: byIdLoader(em, Unit),
    person: byIdLoader(em, Person),
    case: byIdLoader(em, Case),
    intervention: byIdLoader(em, Intervention),
    assignment: byIdLoader(em, Assignment),
    attachment: byIdLoader(em, Attachment),
    sharedMailbox: byIdLoader(em, SharedMailbox),
    interventionsByCase: groupLoader(em, Intervention, 'case', { startDate: 'asc', id: 'asc' }, (r) => r.case.id),
    assignmentsByCase: groupLoader(em, Assignment, 'case', { startDate: 'asc', id: 'asc' }, (r) => r.case.id),
    relationsByCase: groupLoader(em, Relation, 'case', { validFrom: 'asc', id: 'asc' }, (r) => r.case.id),
    membersByMailbox: groupLoader(em, SharedMailboxMember, 'mailbox', { createdAt: 'asc', id: 'asc' }, (r) => r.mailbox.id),
    message: byIdLoader(em, Message),
    conversation: byIdLoader(em, Conversation),
    messagesByConversation: groupLoader(em, Message, 'conversation', { createdAt: 'asc', id: 'asc' }, (r) => r.conversation.id),
    participantsByConversation: groupLoader(em, ConversationParticipant, 'conversation', { createdAt: 'asc', id: 'asc' }, (r) => r.conversation.id),
    recipientsByMessage: groupLoader(em, MessageRecipient, 'message', { createdAt: 'asc', id: 'asc' }, (r) => r.message.id),
    attachmentsByMessage: groupLoader(em, Attachment, 'message', { createdAt: 'asc', id: 'asc' }, (r) => r.message!.id),
    eventsByMessage: groupLoader(em, MessageEvent, 'message', { createdAt: 'asc', id: 'asc' }, (r) => r.message.id),
    correctionsOfEntry: groupLoader(em, JournalEntry, 'corrects', { createdAt: 'asc', id: 'asc' }, (r) => r.corrects!.id),
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
      this.loaders.set(name, loader as DataLoader<unknown, unknown>);
    }
    return loader.load(key);
  }
}
