import type { EntityManager } from '@mikro-orm/postgresql';
import type PgBoss from 'pg-boss';
import type { Config } from '../config';
import type { Orm } from '../db/orm';
import { recordNotices, type RecordedNotices } from '../domain/notice.service';
import type { DomainEvent, EventSink, RecordHints } from '../domain/notices';
import { PartyKind } from '../entities/party';
import { log } from '../log';
import { queueNotifications } from '../notifications/outbox';
import type { NoticeBus } from './bus';

/** The topic a signed-in viewer listens on. */
export const viewerTopic = (
  v: { kind: 'staff'; staff: { id: string } } | { kind: 'citizen'; person: { id: string } },
) => (v.kind === 'staff' ? `${PartyKind.STAFF}:${v.staff.id}` : `${PartyKind.PERSON}:${v.person.id}`);

/**
 * The messaging domain's EventSink: inside the transaction it has the
 * notification jobs written (notifications/outbox.ts) and writes the notices; after commit it wakes the viewers'
 * subscriptions on every instance. A shared mailbox's notice wakes its
 * members as they were when the notice was written.
 */
export class NoticePipeline implements EventSink {
  constructor(private readonly deps: { orm: Orm; bus: NoticeBus; config: Config; boss?: PgBoss }) {}

  async record(em: EntityManager, events: DomainEvent[], hints?: RecordHints): Promise<RecordedNotices> {
    const { boss, config } = this.deps;
    if (boss) await queueNotifications(em, { boss, config }, events, hints?.notifyTargets);
    // Last: the viewers' notice locks are held until commit.
    return recordNotices(em, events, hints?.locked);
  }

  publish(_events: DomainEvent[], recorded?: unknown): void {
    const { notices, members: known } = (recorded as RecordedNotices | undefined) ?? { notices: [], members: [] };
    if (!notices.length) return;
    try {
      // The highest seq per viewer topic (a shared mailbox's goes to each of its members).
      const latest = new Map<string, string>();
      const mailboxSeqs = new Map<string, string>();
      for (const n of notices) {
        if (n.partyKey.startsWith(`${PartyKind.SHARED_MAILBOX}:`))
          raise(mailboxSeqs, n.partyKey.slice(PartyKind.SHARED_MAILBOX.length + 1), n.seq);
        else raise(latest, n.partyKey, n.seq);
      }
      // The members were read under the viewers' locks, in the transaction (no statement after commit).
      for (const m of known)
        if (mailboxSeqs.has(m.mailbox_id))
          raise(latest, `${PartyKind.STAFF}:${m.staff_id}`, mailboxSeqs.get(m.mailbox_id)!);
      // After the sender's response is on its way: the wake-ups set off the fan-out to every subscribed socket, and
      // on this instance that work would otherwise run before the response is written.
      setImmediate(() => {
        for (const [topic, seq] of latest) this.deps.bus.publish(topic, { seq });
      });
    } catch (err) {
      // The notices are committed: clients catch up with noticesSince; never fail the request for this.
      log.error('publishing notices failed', { err });
    }
  }
}

/** Keeps the highest seq per key. */
function raise(seqs: Map<string, string>, key: string, seq: string): void {
  const prev = seqs.get(key);
  if (!prev || BigInt(seq) > BigInt(prev)) seqs.set(key, seq);
}
