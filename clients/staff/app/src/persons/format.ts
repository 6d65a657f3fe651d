/** How staff read the identifiers and numbers the API gives in machine form. */

/** 191212121212 → 19121212-1212. */
export function pnr(p: string): string {
  return /^\d{12}$/.test(p) ? `${p.slice(0, 8)}-${p.slice(8)}` : p;
}

/** +46701234567 → 070-123 45 67 (Swedish mobile numbers); anything else as given. */
export function phone(e164: string | null | undefined): string | null {
  if (!e164) return null;
  const m = /^\+46(7\d)(\d{3})(\d{2})(\d{2})$/.exec(e164);
  if (m) return `0${m[1]}-${m[2]} ${m[3]} ${m[4]}`;
  return e164.startsWith('+46') ? `0${e164.slice(3)}` : e164;
}

const swedishDay = new Intl.DateTimeFormat('sv-SE', {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  timeZone: 'Europe/Stockholm',
});
const swedishDateTime = new Intl.DateTimeFormat('sv-SE', {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/Stockholm',
});

/** Today in Sweden, "2026-12-02" (the seed's dates). */
export function today(): string {
  return swedishDay.format(new Date());
}

/** "2024-08-26", the day in Sweden of a timestamp. */
export function day(iso: string): string {
  return swedishDay.format(new Date(iso));
}

/** "2024-08-26 07:35", Swedish time. */
export function dayTime(iso: string): string {
  return swedishDateTime.format(new Date(iso));
}

/** One line of a postal address, or null when there is none. */
export function addressLine(
  a: { street?: string | null; postalCode?: string | null; city?: string | null } | null | undefined,
): string | null {
  if (!a) return null;
  const place = [a.postalCode, a.city?.toUpperCase()].filter(Boolean).join(' ');
  const line = [a.street, place].filter(Boolean).join(', ');
  return line || null;
}
