import type { EntityManager } from '@mikro-orm/postgresql';
import type { App } from '../auth/oidc';
import { DEMO } from '../db/demo-data';
import { Person } from '../entities/person';
import { Staff, StaffRole } from '../entities/staff';

/** One button on the development sign-in page: the form field it sends, its value, and what the button says. */
export interface DemoPerson {
  field: 'personnummer' | 'username';
  value: string;
  name: string;
  detail: string;
}

export const DEV_CSS = `body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fff;line-height:1.5}
main{max-width:40rem;margin:0 auto;padding:1.5rem 1rem}
h1{font-size:1.6rem;margin:0 0 .5rem}
ul{list-style:none;padding:0;margin:1rem 0}
li{margin:0 0 .75rem}
button{font:inherit;font-size:1rem;padding:.6rem 1rem;border:2px solid #0b4f8a;border-radius:.3rem;background:#0b4f8a;color:#fff;
  cursor:pointer;min-height:44px;text-align:left}
button:hover{background:#083a66}
button:focus-visible,a:focus-visible{outline:3px solid #c2410c;outline-offset:2px}
.detail{display:block;color:#404040;font-size:.9rem}
a{color:#0b4f8a}
`;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const roleLabel: Record<StaffRole, string> = {
  [StaffRole.CASEWORKER]: 'handläggare',
  [StaffRole.EXECUTOR]: 'utförare',
  [StaffRole.ADMIN]: 'systemförvaltare',
};

/** The demo citizens in the database, in the order the page lists them. */
async function demoCitizens(em: EntityManager): Promise<DemoPerson[]> {
  const order: string[] = [DEMO.tolvan, DEMO.relation, DEMO.protectedPerson, DEMO.otherUnitPerson];
  const persons = await em.find(Person, { personnummer: { $in: order } });
  persons.sort((a, b) => order.indexOf(a.personnummer) - order.indexOf(b.personnummer));
  return persons.map((p) => {
    const detail = [
      p.personnummer === DEMO.relation ? 'relation, godkänd för meddelanden' : '',
      p.protectedIdentity ? 'skyddad identitet' : '',
      p.messagingEnabled ? '' : 'e-tjänsten är inte aktiverad',
    ]
      .filter(Boolean)
      .join(', ');
    return {
      field: 'personnummer',
      value: p.personnummer,
      name: p.name,
      detail: `${p.personnummer}${detail ? ` – ${detail}` : ''}`,
    };
  });
}

/** The active demo staff in the database, in the order the page lists them. */
async function demoStaff(em: EntityManager): Promise<DemoPerson[]> {
  const order: string[] = [DEMO.caseworker, DEMO.secondCaseworker, DEMO.executor, DEMO.admin, DEMO.otherUnitCaseworker];
  const staff = await em.find(Staff, { username: { $in: order }, active: true }, { populate: ['unit'] });
  staff.sort((a, b) => order.indexOf(a.username) - order.indexOf(b.username));
  return staff.map((s) => ({
    field: 'username',
    value: s.username,
    name: s.name,
    detail: `${s.username} – ${roleLabel[s.role]}, ${s.unit.name}`,
  }));
}

export const demoPeople = (em: EntityManager, app: App): Promise<DemoPerson[]> =>
  app === 'citizen' ? demoCitizens(em) : demoStaff(em);

/** The development sign-in page: one button per demo person (a same-origin form POST to /auth/dev). */
export function devSignInPage(app: App, returnTo: string, people: DemoPerson[]): string {
  const heading = app === 'citizen' ? 'Logga in som medborgare' : 'Logga in som personal';
  const other =
    app === 'citizen'
      ? `<a href="/auth/dev?app=staff">Logga in som personal i stället</a>`
      : `<a href="/auth/dev?app=citizen">Logga in som medborgare i stället</a>`;
  const items = people
    .map(
      (p) =>
        `<li><button type="submit" name="${p.field}" value="${escapeHtml(p.value)}">Logga in som ${escapeHtml(p.name)}</button>` +
        `<span class="detail">${escapeHtml(p.detail)}</span></li>`,
    )
    .join('\n');
  const list = people.length
    ? `<form method="post" action="/auth/dev">
<input type="hidden" name="kind" value="${app}">
<input type="hidden" name="returnTo" value="${escapeHtml(returnTo)}">
<ul>
${items}
</ul>
</form>`
    : `<p>Det finns inga demopersoner i databasen. Läs in dem med <code>npm run db:seed</code>.</p>`;
  return `<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${heading} (utvecklingsläge) – Meddelande IFO</title>
<link rel="stylesheet" href="/auth/dev.css">
</head>
<body>
<main>
<h1>${heading}</h1>
<p>Utvecklingsläge: välj en demoperson. I drift loggar man in med e-legitimation eller med kommunens inloggning.</p>
${list}
<p>${other}</p>
</main>
</body>
</html>
`;
}
