import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import { Message, SendRequest } from '../entities/message';
import { AppError, ErrorCode } from '../errors';
import { claimSendRequest } from '../stores/send-request.store';
import type { Sql } from './sql';

/**
 * Claims the idempotency key, in the same statement as `reads` (columns of
 * one row, read in the same snapshot), and runs the work with that row, in
 * one transaction. A key already used answers the messages it made (or
 * IDEMPOTENCY_KEY_REUSED for a different payload).
 */
export function idempotent(
  em: EntityManager,
  args: {
    viewer: Viewer;
    key: string;
    /** What the key stands for: a retry must send the very same. */
    payload: unknown;
    reads: Sql;
    work: (em: EntityManager, row: Record<string, unknown> & { claim_id: string }) => Promise<Message[]>;
  },
): Promise<Message[]> {
  const { viewer, key } = args;
  const senderKey = viewer.kind === 'staff' ? `STAFF:${viewer.staff.id}` : `PERSON:${viewer.person.id}`;
  const payloadHash = createHash('sha256').update(JSON.stringify(args.payload)).digest('hex');
  return em.transactional(async (em) => {
    const row = await claimSendRequest(em, { senderKey, key, payloadHash, reads: args.reads });
    if (row.claim_id) return args.work(em, row as Record<string, unknown> & { claim_id: string });
    const previous = await em.findOneOrFail(SendRequest, { senderKey, key });
    if (previous.payloadHash !== payloadHash) {
      throw new AppError(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        'This idempotency key was already used for a different message. ' +
          'Generate a new key for each new message; reuse a key only to retry the very same send.',
        { field: 'idempotencyKey' },
      );
    }
    const messages = await em.find(Message, { id: { $in: previous.messageIds } });
    const order = new Map(previous.messageIds.map((id, i) => [id, i]));
    return messages.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  });
}
