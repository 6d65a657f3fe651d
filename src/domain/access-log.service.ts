import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer } from '../auth/viewer';
import { AccessAction, AccessLogEntry } from '../entities/access-log-entry';

/**
 * Loggkontroll: records staff reads of person data. Call it with the same
 * EntityManager (transaction) as the read, so there is no read without a row.
 */
export async function logPersonAccess(
  em: EntityManager,
  viewer: StaffViewer,
  requestId: string,
  personIds: Iterable<string>,
  action: AccessAction,
): Promise<void> {
  const unique = [...new Set(personIds)];
  if (unique.length === 0) return;
  const now = new Date();
  await em.insertMany(
    AccessLogEntry,
    unique.map((person) => ({
      id: randomUUID(),
      createdAt: now,
      actor: viewer.staff.id,
      actorRole: viewer.role,
      person,
      action,
      requestId,
    })),
  );
}
