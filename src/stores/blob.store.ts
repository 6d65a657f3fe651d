import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../domain/sql';
import { query } from './query';

// The PostgreSQL BlobStore's statements (table attachment_blob). Plain SQL rather than the AttachmentBlob
// entity: bytes of up to 16 MB should not sit in the identity map of the request that moves them.

/** Stores bytes under a key, in the EntityManager's transaction when it has one. */
export async function insertBlob(em: EntityManager, blob: { key: string; bytes: Buffer }): Promise<void> {
  await query(em, sql`insert into attachment_blob (key, bytes, created_at) values (${blob.key}, ${blob.bytes}, now())`);
}

/** The bytes stored under a key, or null. */
export async function blobBytes(em: EntityManager, blob: { key: string }): Promise<Buffer | null> {
  const [row] = await query<{ bytes: Buffer }>(em, sql`select bytes from attachment_blob where key = ${blob.key}`);
  return row?.bytes ?? null;
}
