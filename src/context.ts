import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from './auth/viewer';
import type { Config } from './config';
import type { AppError } from './errors';
import DataLoader from 'dataloader';
import type PgBoss from 'pg-boss';
import { loadPersonAccess, type PersonAccess } from './domain/access-policy';
import type { ConversationView } from './domain/conversation-inbox';
import type { EventSink } from './domain/notices';
import { createLoaders, type Loaders } from './loaders';
import { PostgresBlobStore, type BlobStore } from './storage/blob-store';
import type { NoticeBus } from './subscriptions/bus';

/** Everything one request (or one websocket event) works with. */
export interface Context {
  requestId: string;
  /** The signed-in caller; null when no valid token came with the request. */
  viewer: Viewer | null;
  /** Why there is no viewer, raised as soon as an operation needs one. */
  authFailure: AppError | null;
  /** Forked per request: a unique identity map per request. */
  em: EntityManager;
  loaders: Loaders;
  /** The viewer's access to persons (access policy R1–R4), batched per request. */
  personAccess: DataLoader<string, PersonAccess>;
  /** Where committed domain events go (realtime notices, notification jobs). */
  sink?: EventSink;
  /** Realtime notice fan-out (subscriptions listen on it). */
  bus?: NoticeBus;
  /** The notification job queue (administrators retry failed jobs). */
  boss?: PgBoss;
  /** Mailbox-relative data (unread count, last message) of conversations listed in this request. */
  conversationViews: Map<string, ConversationView>;
  /** Where file bytes live (attachments, rendered case documents). */
  blobStore: BlobStore;
  /** The gallring periods in force (administrators' dry runs and settings). */
  retention?: Config['retention'];
  /**
   * On a websocket only: the caller as they are now, for each event of a
   * long-lived subscription (a recent check, or a new one); null once they
   * may no longer be served, and the socket is then closing with 4403.
   */
  revalidate?: () => Promise<Viewer | null>;
}

/** What every request's context is handed by the server, the same over HTTP and the websocket. */
export interface ContextServices {
  sink?: EventSink;
  blobStore?: BlobStore;
  bus?: NoticeBus;
  boss?: PgBoss;
  retention?: Config['retention'];
}

export function createContext(
  args: ContextServices & {
    requestId: string;
    em: EntityManager;
    viewer: Viewer | null;
    authFailure: AppError | null;
    revalidate?: () => Promise<Viewer | null>;
  },
): Context {
  const { em, viewer } = args;
  const personAccess = new DataLoader<string, PersonAccess>(async (ids) => {
    if (!viewer) return ids.map(() => ({ visible: false, ownCaseworker: false }));
    const map = await loadPersonAccess(em, viewer, ids);
    return ids.map((id) => map.get(id)!);
  });
  return {
    ...args,
    blobStore: args.blobStore ?? new PostgresBlobStore(),
    loaders: createLoaders(em, viewer),
    personAccess,
    conversationViews: new Map(),
  };
}
