import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { blobBytes, insertBlob } from '../stores/blob.store';

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
    await insertBlob(em, { key, bytes });
    return key;
  }

  async get(em: EntityManager, key: string): Promise<Buffer | null> {
    return blobBytes(em, { key });
  }
}
