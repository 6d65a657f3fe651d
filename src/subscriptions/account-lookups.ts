import { Person } from '../entities/person';
import { Staff } from '../entities/staff';
import { Unit } from '../entities/unit';
import { BaseEntity } from '../entities/base';
import { staffAccountsByUsername, type StaffAccountRow } from '../stores/account.store';
import type { Principal } from '../auth/tokens';
import { resolveViewer, staffViewer, type Viewer } from '../auth/viewer';
import type { Orm } from '../db/orm';

/**
 * A copy of an entity that belongs to no EntityManager: its own columns as
 * plain data properties on an object of the entity's class, and each relation
 * as a bare reference by id (what the access rules compare), never loaded. A
 * socket keeps its caller for as long as it is open; a managed entity would
 * keep the EntityManager that loaded it alive with it, and even a `new Staff()`
 * carries MikroORM's per-instance state (its change-tracking accessors and
 * wrapper, ~3 KB). Data properties are defined, not assigned, so the entity
 * prototype's tracking setters never run.
 */
function detachedEntity<T extends object>(entity: T): T {
  return plainEntity(Object.getPrototypeOf(entity) as T, entity as Record<string, unknown>);
}

/** An object of the entity class whose prototype is given, with these fields as data properties (entities among them made bare references). */
function plainEntity<T extends object>(prototype: T, fields: Record<string, unknown>): T {
  const copy = Object.create(prototype) as T;
  for (const [key, value] of Object.entries(fields)) {
    const plain = value instanceof BaseEntity ? reference(Object.getPrototypeOf(value) as BaseEntity, value.id) : value;
    Object.defineProperty(copy, key, { value: plain, writable: true, enumerable: true, configurable: true });
  }
  return copy;
}

function reference<T extends BaseEntity>(prototype: T, id: string): T {
  return plainEntity(prototype, { id });
}

/** A staff row as the detached copy {@link detachedEntity} makes of a loaded `Staff`. */
function detachedStaff(row: StaffAccountRow): Staff {
  return plainEntity(Staff.prototype, {
    id: row.id,
    createdAt: new Date(row.created_at),
    username: row.username,
    givenName: row.given_name,
    familyName: row.family_name,
    title: row.title,
    role: row.role,
    unit: reference(Unit.prototype, row.unit_id),
    active: row.active,
  });
}

/**
 * The caller as a copy that belongs to no EntityManager (see {@link detachedEntity}).
 * Given the copy a socket holds (`kept`), returns that one when nothing in it changed:
 * the sockets of one account that signed in together keep sharing one copy.
 */
export function detachedViewer(v: Viewer, kept?: Viewer): Viewer {
  const copy: Viewer =
    v.kind === 'citizen'
      ? { kind: 'citizen', person: detachedEntity(v.person) }
      : { kind: 'staff', role: v.role, staff: detachedEntity(v.staff) };
  return kept && sameViewer(kept, copy) ? kept : copy;
}

/** Of two detached copies of the caller, the one kept (`kept`) while nothing in it changed, else the fresh one. */
export function sameOrFresh(fresh: Viewer, kept: Viewer): Viewer {
  return sameViewer(kept, fresh) ? kept : fresh;
}

function sameViewer(a: Viewer, b: Viewer): boolean {
  if (a.kind === 'citizen' || b.kind === 'citizen')
    return a.kind === 'citizen' && b.kind === 'citizen' && sameFields(a.person, b.person);
  return a.role === b.role && sameFields(a.staff, b.staff);
}

const fieldValue = (v: unknown) => (v instanceof Date ? v.getTime() : v instanceof BaseEntity ? v.id : v);

function sameFields(a: object, b: object): boolean {
  const ea = Object.entries(a);
  const fb = b as Record<string, unknown>;
  return ea.length === Object.keys(b).length && ea.every(([k, v]) => k in b && fieldValue(v) === fieldValue(fb[k]));
}

interface Waiting {
  principal: Principal;
  viewer: Promise<Viewer>;
  settle(result: { viewer: Viewer } | { error: Error }): void;
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

const principalKey = (p: Principal) => (p.kind === 'staff' ? `s:${p.username}` : `c:${p.personnummer}`);

/**
 * The websocket callers' account lookups, coalesced: the lookups asked for in
 * one turn of the event loop (the sockets of a reconnect storm sign in, and
 * then subscribe, many at a time), or while the previous statement runs, go
 * out together after it, as one statement per kind of account, and the callers of one account share its
 * answer. So a storm costs a few statements a round trip, not one a socket,
 * and a lone connect waits for nothing. Nothing is kept afterwards: every
 * lookup reads the account as it is when its statement runs, which starts
 * after the lookup was asked for (a disabled account is refused at once).
 * The rule is the request's (src/auth/viewer.ts): an unknown or disabled staff
 * account, or a person without the e-service, is refused with its AppError.
 */
export class AccountLookups {
  private waiting?: Map<string, Waiting>;
  /** A batch's statements are running: the next batch waits for them. */
  private running = false;

  constructor(private readonly orm: Orm) {}

  /** The account behind a principal, detached from any EntityManager; rejects with the viewer rule's AppError when refused. */
  lookup(principal: Principal): Promise<Viewer> {
    if (!this.waiting) {
      this.waiting = new Map();
      if (!this.running) setImmediate(() => void this.flush());
    }
    const key = principalKey(principal);
    const known = this.waiting.get(key);
    if (known) return known.viewer;
    let settle!: Waiting['settle'];
    const viewer = new Promise<Viewer>((resolve, reject) => {
      settle = (r) => ('viewer' in r ? resolve(r.viewer) : reject(r.error));
    });
    this.waiting.set(key, { principal, viewer, settle });
    return viewer;
  }

  private async flush(): Promise<void> {
    const batch = [...(this.waiting?.values() ?? [])];
    this.waiting = undefined;
    this.running = true;
    try {
      await this.answer(batch);
    } finally {
      this.running = false;
      if (this.waiting) setImmediate(() => void this.flush());
    }
  }

  private async answer(batch: Waiting[]): Promise<void> {
    const usernames = batch.flatMap((w) => (w.principal.kind === 'staff' ? [w.principal.username] : []));
    const personnummer = batch.flatMap((w) => (w.principal.kind === 'citizen' ? [w.principal.personnummer] : []));
    try {
      const [staff, persons] = await Promise.all([
        usernames.length ? staffAccountsByUsername(this.orm.em.fork(), { usernames }) : [],
        personnummer.length ? this.orm.em.fork().find(Person, { personnummer: { $in: personnummer } }) : [],
      ]);
      const staffBy = new Map(staff.map((s) => [s.username, s]));
      const personBy = new Map(persons.map((p) => [p.personnummer, p]));
      for (const w of batch) {
        const p = w.principal;
        if (p.kind === 'citizen' && !personBy.has(p.personnummer)) {
          // Refused: the viewer rule says why (a person without the e-service), with its own message.
          resolveViewer(this.orm.em.fork(), p).then(
            (viewer) => w.settle({ viewer: detachedViewer(viewer) }),
            (error: unknown) => w.settle({ error: asError(error) }),
          );
          continue;
        }
        try {
          const row = p.kind === 'staff' ? staffBy.get(p.username) : undefined;
          const viewer: Viewer =
            p.kind === 'staff'
              ? staffViewer(row ? detachedStaff(row) : null)
              : detachedViewer({ kind: 'citizen', person: personBy.get(p.personnummer)! });
          w.settle({ viewer });
        } catch (error) {
          w.settle({ error: asError(error) });
        }
      }
    } catch (error) {
      for (const w of batch) w.settle({ error: asError(error) });
    }
  }
}
