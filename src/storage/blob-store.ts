import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Where attachment bytes live. PostgreSQL today (one transaction with the
 * message, one backup); an object store can replace it behind this interface.
 */
export interface BlobStore {
  /** Stores bytes and returns the key to fetch them by. Runs in the caller's transaction where the store supports it. */
  put(em: EntityManager, bytes: Buffer): Promise<string>;
  get(em: EntityManager, key: string): Promise<Buffer | null>;
}

export class PostgresBlobStore implements BlobStore {
  async put(em: EntityManager, bytes: Buffer): Promise<string> {
    const key = `pg:${randomUUID()}`;
    await em
      .getConnection()
      .execute(
        'insert into attachment_blob (key, bytes, created_at) values (?, ?, now())',
        [key, bytes],
        'run',
        em.getTransactionContext(),
      );
    return key;
  }

  async get(em: EntityManager, key: string): Promise<Buffer | null> {
    const rows: { bytes: Buffer }[] = await em
      .getConnection()
      .execute('select bytes from attachment_blob where key = ?', [key], 'all', em.getTransactionContext());
    return rows[0]?.bytes ?? null;
  }
}
