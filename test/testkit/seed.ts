import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Assignment, Case, CaseStatus } from '../../src/entities/case';
import { Person } from '../../src/entities/person';
import { Relation, RelationType } from '../../src/entities/relation';
import { SharedMailbox, SharedMailboxMember } from '../../src/entities/shared-mailbox';
import { Staff, StaffRole } from '../../src/entities/staff';
import { Unit } from '../../src/entities/unit';
import { apiAs } from './api';
import { isoDay, newPersonnummer } from './messaging';
import type { TestServer } from './server';

/**
 * A fluent test world: a test says which people, cases and relations it needs,
 * by names of its own choosing, and gets back typed handles (ids, tokens and
 * signed-in API clients). Everything is written to the test server's real
 * database with the real entities, as the register integration would; the
 * calls the test then makes go through the real API. Model: GraphQL Hive's
 * `initSeed().createOwner()`.
 *
 *     const w = await seed(t)
 *       .caseworker('anna')
 *       .citizen('tolvan')
 *       .case('ek', { holder: 'tolvan', caseworker: 'anna' })
 *       .relation('josefine', { case: 'ek' });
 *     await w.staff.anna.api.query(CaseDocument, { id: w.case.ek.id });
 *
 * Names are local to the world: each world gets a unit of its own (`'main'`,
 * unless staff name another with `.unit()`), fresh personnummer and usernames,
 * so worlds never meet each other or the README's demo data, and a test can
 * build one per test. Misspelled names are type errors. Steps run in order on
 * `await`; a world is built once.
 */
export function seed(t: TestServer): SeedBuilder {
  return new SeedBuilder(t, []);
}

export type Api = ReturnType<typeof apiAs>;

export interface UnitHandle {
  id: string;
  name: string;
}
export interface StaffHandle {
  id: string;
  username: string;
  /** "Given Family", as the API shows staff. */
  name: string;
  role: StaffRole;
  unitId: string;
  token: string;
  api: Api;
}
export interface CitizenHandle {
  id: string;
  personnummer: string;
  name: string;
  token: string;
  api: Api;
}
export interface CaseHandle {
  id: string;
  holderId: string;
  caseworkerId: string;
  unitId: string;
}

/** What `await seed(t)…` gives: one record per kind, keyed by the names the test chose. */
export interface SeedWorld<U extends string, S extends string, P extends string, C extends string> {
  unit: Record<U, UnitHandle>;
  staff: Record<S, StaffHandle>;
  citizen: Record<P, CitizenHandle>;
  case: Record<C, CaseHandle>;
  /** Relation ids by the related person's name. */
  relation: Partial<Record<P, string>>;
  /** Assignment ids by the names given in `.assignment()`. */
  assignment: Record<string, string>;
  /** Shared mailbox ids by the names given in `.mailbox()`. */
  mailbox: Record<string, string>;
}

type AnyWorld = SeedWorld<string, string, string, string>;
type Step = (em: EntityManager, w: AnyWorld, ctx: StepContext) => Promise<void>;
interface StepContext {
  t: TestServer;
  suffix: string;
  units: Map<string, Unit>;
  staff: Map<string, Staff>;
  persons: Map<string, Person>;
  cases: Map<string, Case>;
}

/** Staff options: the unit by name (default `'main'`) and the account's fields. */
export type StaffOptions<U extends string> = { unit?: U } & Partial<
  Pick<Staff, 'givenName' | 'familyName' | 'title' | 'active'>
>;
/** Citizen options: the register's fields (the e-service, `messagingEnabled`, is on unless set false). */
export type CitizenOptions = Partial<Omit<Person, 'id' | 'personnummer' | 'createdAt' | 'updatedAt'>>;

const capitalised = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

export class SeedBuilder<
  U extends string = 'main',
  S extends string = never,
  P extends string = never,
  C extends string = never,
> implements PromiseLike<SeedWorld<U, S, P, C>> {
  constructor(
    private readonly t: TestServer,
    private readonly steps: Step[],
  ) {}

  private and<U2 extends string, S2 extends string, P2 extends string, C2 extends string>(
    step: Step,
  ): SeedBuilder<U2, S2, P2, C2> {
    return new SeedBuilder<U2, S2, P2, C2>(this.t, [...this.steps, step]);
  }

  /** Another unit (the world always has `'main'`). */
  unit<K extends string>(name: K): SeedBuilder<U | K, S, P, C> {
    return this.and(async (em, w, ctx) => {
      ctx.units.set(name, await unitNamed(em, w, ctx, name));
    });
  }

  caseworker<K extends string>(name: K, opts: StaffOptions<U> = {}): SeedBuilder<U, S | K, P, C> {
    return this.and(staffStep(name, StaffRole.CASEWORKER, opts));
  }

  executor<K extends string>(name: K, opts: StaffOptions<U> = {}): SeedBuilder<U, S | K, P, C> {
    return this.and(staffStep(name, StaffRole.EXECUTOR, opts));
  }

  admin<K extends string>(name: K, opts: StaffOptions<U> = {}): SeedBuilder<U, S | K, P, C> {
    return this.and(staffStep(name, StaffRole.ADMIN, opts));
  }

  /** A person from the population register; with the e-service activated unless `messagingEnabled: false`. */
  citizen<K extends string>(name: K, opts: CitizenOptions = {}): SeedBuilder<U, S, P | K, C> {
    return this.and(async (em, w, ctx) => {
      const person = em.create(Person, {
        personnummer: newPersonnummer(),
        givenName: capitalised(name),
        familyName: 'Testsson',
        messagingEnabled: true,
        ...opts,
      });
      await em.flush();
      ctx.persons.set(name, person);
      const token = await ctx.t.token.citizen(person.personnummer);
      w.citizen[name] = {
        id: person.id,
        personnummer: person.personnummer,
        name: `${person.givenName} ${person.familyName}`,
        token,
        api: apiAs(ctx.t, token),
      };
    });
  }

  /** An ongoing case (by default "Ekonomiskt bistånd", opened 30 days ago) in the caseworker's unit. */
  case<K extends string>(
    name: K,
    o: { holder: P; caseworker: S; title?: string; status?: CaseStatus; openedOn?: string },
  ): SeedBuilder<U, S, P, C | K> {
    return this.and(async (em, w, ctx) => {
      const caseworker = ctx.staff.get(o.caseworker)!;
      const c = em.create(Case, {
        title: o.title ?? 'Ekonomiskt bistånd',
        holder: ctx.persons.get(o.holder)!,
        unit: caseworker.unit,
        caseworker,
        openedOn: o.openedOn ?? isoDay(-30),
        status: o.status ?? CaseStatus.OPEN,
      });
      await em.flush();
      ctx.cases.set(name, c);
      w.case[name] = { id: c.id, holderId: c.holder.id, caseworkerId: caseworker.id, unitId: caseworker.unit.id };
    });
  }

  /**
   * A person registered on a case, by default approved for messages, valid from ten days ago and activated by
   * the case's caseworker. A new citizen unless `person` names one already in the world.
   */
  relation<K extends string>(
    person: K,
    o: {
      case: C;
      types?: RelationType[];
      validFrom?: string;
      validTo?: string | null;
      activated?: boolean;
    },
  ): SeedBuilder<U, S, P | K, C> {
    const withPerson = (this as SeedBuilder<U, S, P | K, C>).ensureCitizen(person);
    return withPerson.and(async (em, w, ctx) => {
      const c = ctx.cases.get(o.case)!;
      const relation = em.create(Relation, {
        case: c,
        person: ctx.persons.get(person)!,
        types: o.types ?? [RelationType.APPROVED_FOR_MESSAGES],
        validFrom: o.validFrom ?? isoDay(-10),
        validTo: o.validTo ?? null,
        registeredBy: c.caseworker,
        activatedAt: o.activated === false ? null : new Date(),
        activatedBy: o.activated === false ? null : c.caseworker,
      });
      await em.flush();
      (w.relation as Record<string, string>)[person] = relation.id;
    });
  }

  /** An executor's assignment on a case, ongoing from ten days ago unless `endDate` is given. */
  assignment(
    name: string,
    o: { case: C; executor: S; description?: string; startDate?: string; endDate?: string | null },
  ): SeedBuilder<U, S, P, C> {
    return this.and(async (em, w, ctx) => {
      const a = em.create(Assignment, {
        case: ctx.cases.get(o.case)!,
        executor: ctx.staff.get(o.executor)!,
        description: o.description ?? 'Stödsamtal',
        startDate: o.startDate ?? isoDay(-10),
        endDate: o.endDate ?? null,
      });
      await em.flush();
      w.assignment[name] = a.id;
    });
  }

  /** A shared mailbox of a unit (default `'main'`) with these members. */
  mailbox(name: string, o: { members: S[]; unit?: U }): SeedBuilder<U, S, P, C> {
    return this.and(async (em, w, ctx) => {
      const mailbox = em.create(SharedMailbox, {
        name: `${capitalised(name)} ${ctx.suffix}`,
        unit: await unitNamed(em, w, ctx, o.unit ?? 'main'),
      });
      for (const member of o.members) em.create(SharedMailboxMember, { mailbox, staff: ctx.staff.get(member)! });
      await em.flush();
      w.mailbox[name] = mailbox.id;
    });
  }

  private ensureCitizen<K extends string>(name: K): SeedBuilder<U, S, P | K, C> {
    const create = this.citizen(name);
    const createStep = create.steps[create.steps.length - 1];
    return this.and(async (em, w, ctx) => {
      if (!ctx.persons.has(name)) await createStep(em, w, ctx);
    });
  }

  /** Builds the world: runs the steps in order on one EntityManager. */
  async build(): Promise<SeedWorld<U, S, P, C>> {
    const em = this.t.em();
    const world: AnyWorld = { unit: {}, staff: {}, citizen: {}, case: {}, relation: {}, assignment: {}, mailbox: {} };
    const ctx: StepContext = {
      t: this.t,
      suffix: randomBytes(3).toString('hex'),
      units: new Map(),
      staff: new Map(),
      persons: new Map(),
      cases: new Map(),
    };
    await unitNamed(em, world, ctx, 'main');
    for (const step of this.steps) await step(em, world, ctx);
    return world as SeedWorld<U, S, P, C>;
  }

  then<R1 = SeedWorld<U, S, P, C>, R2 = never>(
    onfulfilled?: ((value: SeedWorld<U, S, P, C>) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): PromiseLike<R1 | R2> {
    return this.build().then(onfulfilled, onrejected);
  }
}

/** The world's unit of this name, created on first use ("Enhet main 3fa2c1": unit names are unique). */
async function unitNamed(em: EntityManager, w: AnyWorld, ctx: StepContext, name: string): Promise<Unit> {
  let unit = ctx.units.get(name);
  if (!unit) {
    unit = em.create(Unit, { name: `Enhet ${name} ${ctx.suffix}`, municipality: 'Testkommun' });
    await em.flush();
    ctx.units.set(name, unit);
    w.unit[name] = { id: unit.id, name: unit.name };
  }
  return unit;
}

function staffStep(name: string, role: StaffRole, opts: StaffOptions<string>): Step {
  return async (em, w, ctx) => {
    const { unit: unitName, ...fields } = opts;
    const staff = em.create(Staff, {
      username: `${name.slice(0, 5)}${ctx.suffix}${ctx.staff.size}`,
      givenName: capitalised(name),
      familyName: 'Testsson',
      title: role === StaffRole.EXECUTOR ? 'Utförare' : 'Socialsekreterare',
      role,
      unit: await unitNamed(em, w, ctx, unitName ?? 'main'),
      ...fields,
    });
    await em.flush();
    ctx.staff.set(name, staff);
    const token = await ctx.t.token.staff(staff.username);
    w.staff[name] = {
      id: staff.id,
      username: staff.username,
      name: `${staff.givenName} ${staff.familyName}`,
      role,
      unitId: staff.unit.id,
      token,
      api: apiAs(ctx.t, token),
    };
  };
}
