import { Entity, Index, ManyToOne, PrimaryKey, Property, type Opt } from '@mikro-orm/core';
import { Person } from './person';
import { Staff } from './staff';

/**
 * A browser's sign-in (backend-for-frontend): the browser holds only an
 * opaque random id in an HttpOnly cookie; the row is keyed by that id's
 * SHA-256, so a read of this table does not yield a usable cookie. Exactly one
 * of staff / person is set. Deleting the account deletes its sessions.
 */
@Entity()
@Index({ properties: ['expiresAt'] })
export class BrowserSession {
  /** base64url SHA-256 of the cookie value. */
  @PrimaryKey({ type: 'text' })
  idHash!: string;

  @ManyToOne(() => Staff, { nullable: true, index: true, deleteRule: 'cascade' })
  staff?: Staff | null;

  @ManyToOne(() => Person, { nullable: true, index: true, deleteRule: 'cascade' })
  person?: Person | null;

  @Property({ type: 'datetime' })
  createdAt: Date & Opt = new Date();

  /** Last request seen (updated at most about once a minute): the idle limit counts from here. */
  @Property({ type: 'datetime' })
  lastSeenAt: Date & Opt = new Date();

  /** The absolute limit: the session ends here however active it is. */
  @Property({ type: 'datetime' })
  expiresAt!: Date;
}

/**
 * An OIDC sign-in under way: what the callback needs to finish it (PKCE
 * verifier, state, nonce, where to go afterwards). Keyed by the SHA-256 of a
 * random value in a short-lived cookie, so only the browser that started the
 * sign-in can finish it (no login CSRF). Used once, then deleted.
 */
@Entity()
@Index({ properties: ['expiresAt'] })
export class OidcLogin {
  @PrimaryKey({ type: 'text' })
  idHash!: string;

  /** 'citizen' or 'staff': which issuer this sign-in went to. */
  @Property({ type: 'text' })
  app!: string;

  @Property({ type: 'text' })
  state!: string;

  @Property({ type: 'text' })
  nonce!: string;

  @Property({ type: 'text' })
  codeVerifier!: string;

  @Property({ type: 'text' })
  returnTo!: string;

  @Property({ type: 'datetime' })
  expiresAt!: Date;
}
