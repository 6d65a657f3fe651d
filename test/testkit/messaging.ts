import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Case, CaseStatus } from '../../src/entities/case';
import { Person } from '../../src/entities/person';
import { Relation, RelationType } from '../../src/entities/relation';
import { Staff } from '../../src/entities/staff';
import { todayInSweden } from '../../src/domain/time';

/** A Swedish calendar day relative to today, YYYY-MM-DD. */
export function isoDay(offsetDays: number): string {
  const [y, m, d] = todayInSweden().split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + offsetDays)).toISOString().slice(0, 10);
}

let serial = 0;
const base = Math.floor(Math.random() * 1_000_000);
/** A fresh, valid personnummer (born 1950–1974, birth number 001–999, Luhn), never a demo person's, unique within a test file. */
export function newPersonnummer(): string {
  serial += 1;
  const k = base + serial;
  const rest = Math.floor(k / 999);
  const yy = 50 + (Math.floor(rest / 336) % 25);
  const mm = 1 + (Math.floor(rest / 28) % 12);
  const dd = 1 + (rest % 28);
  const pad = (v: number, n = 2) => String(v).padStart(n, '0');
  // Birth numbers run 001–999: 000 is never issued (and refused).
  const ten = `${yy}${pad(mm)}${pad(dd)}${pad((k % 999) + 1, 3)}`;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let v = Number(ten[i]) * (i % 2 === 0 ? 2 : 1);
    if (v > 9) v -= 9;
    sum += v;
  }
  return `19${ten}${(10 - (sum % 10)) % 10}`;
}

export const key = () => randomUUID();

export interface ExtraPerson {
  person: Person;
  caseId: string;
}

/**
 * A citizen with an ongoing case of their own in `caseworker`'s caseload,
 * e-service on unless told otherwise.
 */
export async function addCaseHolder(
  em: EntityManager,
  caseworkerUsername: string,
  opts: {
    givenName?: string;
    familyName?: string;
    activated?: boolean;
    status?: CaseStatus;
    mobile?: string;
    email?: string;
    street?: string;
    protectedIdentity?: boolean;
  } = {},
): Promise<ExtraPerson> {
  const caseworker = await em.findOneOrFail(Staff, { username: caseworkerUsername }, { populate: ['unit'] });
  const person = em.create(Person, {
    personnummer: newPersonnummer(),
    givenName: opts.givenName ?? 'Extra',
    familyName: opts.familyName ?? `Person${serial}`,
    mobile: opts.mobile ?? null,
    email: opts.email ?? null,
    street: opts.street ?? null,
    messagingEnabled: opts.activated ?? true,
    protectedIdentity: opts.protectedIdentity ?? false,
  });
  const c = em.create(Case, {
    title: 'Ekonomiskt bistånd',
    holder: person,
    unit: caseworker.unit,
    caseworker,
    openedOn: isoDay(-30),
    status: opts.status ?? CaseStatus.OPEN,
  });
  await em.flush();
  return { person, caseId: c.id };
}

/** A person registered as a relation on the given case. */
export async function addRelation(
  em: EntityManager,
  caseId: string,
  opts: {
    validFrom?: string;
    validTo?: string | null;
    activated?: boolean;
    types?: RelationType[];
    messagingEnabled?: boolean;
    givenName?: string;
  } = {},
): Promise<Person> {
  const c = await em.findOneOrFail(Case, caseId, { populate: ['caseworker'] });
  const person = em.create(Person, {
    personnummer: newPersonnummer(),
    givenName: opts.givenName ?? 'Relation',
    familyName: `Person${serial}`,
    messagingEnabled: opts.messagingEnabled ?? true,
  });
  em.create(Relation, {
    case: c,
    person,
    types: opts.types ?? [RelationType.APPROVED_FOR_MESSAGES],
    validFrom: opts.validFrom ?? isoDay(-10),
    validTo: opts.validTo ?? null,
    registeredBy: c.caseworker,
    activatedAt: opts.activated === false ? null : new Date(),
    activatedBy: opts.activated === false ? null : c.caseworker,
  });
  await em.flush();
  return person;
}
