import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, unauthenticated } from '../errors';
import { TokenError, type TokenVerifier } from './tokens';
import { resolveViewer, type Viewer } from './viewer';

/** The token from an `Authorization: Bearer …` header (or a bare token, which verification will refuse as malformed). */
export function bearer(header: unknown): string | undefined {
  if (typeof header !== 'string' || header.length === 0) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : header;
}

/** Verify a token and look the caller up; failures become an AppError kept for when an operation needs a caller. */
export async function authenticate(
  verifier: TokenVerifier,
  em: EntityManager,
  token: string | undefined,
): Promise<{ viewer: Viewer | null; authFailure: AppError | null }> {
  if (!token) return { viewer: null, authFailure: unauthenticated() };
  try {
    const principal = await verifier.verify(token);
    return { viewer: await resolveViewer(em, principal), authFailure: null };
  } catch (err) {
    if (err instanceof TokenError) return { viewer: null, authFailure: unauthenticated(err.message) };
    if (err instanceof AppError) return { viewer: null, authFailure: err };
    throw err;
  }
}
