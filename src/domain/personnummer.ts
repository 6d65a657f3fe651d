/**
 * Swedish personal identity numbers (personnummer) and coordination numbers
 * (samordningsnummer, day + 60). Stored and compared as 12 digits, YYYYMMDDNNNC.
 */
export type PersonnummerResult = { ok: true; value: string } | { ok: false; reason: string };

function luhnValid(tenDigits: string): boolean {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    let d = tenDigits.charCodeAt(i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function validDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/**
 * Accepts `YYYYMMDDNNNC`, `YYYYMMDD-NNNC`, `YYMMDD-NNNC` and `YYMMDD+NNNC`
 * (the plus sign marks a person aged 100 or more) and returns the 12-digit form.
 */
export function parsePersonnummer(input: string, today: Date = new Date()): PersonnummerResult {
  const raw = input.trim();
  const m = /^(\d{2})?(\d{6})([-+]?)(\d{4})$/.exec(raw);
  if (!m) {
    return { ok: false, reason: 'A personnummer has 12 digits (YYYYMMDDNNNN) or 10 digits with a separator (YYMMDD-NNNN).' };
  }
  const [, century, yymmdd, sep, last4] = m;
  const month = Number(yymmdd.slice(2, 4));
  let day = Number(yymmdd.slice(4, 6));
  if (day > 60) day -= 60; // samordningsnummer
  const notYetBorn = (year: number) => Date.UTC(year, month - 1, day) > today.getTime();
  let fullYear: number;
  if (century) {
    fullYear = Number(century + yymmdd.slice(0, 2));
  } else {
    // The latest century that puts the birth date on or before today; '+' adds another hundred years.
    fullYear = Math.floor(today.getUTCFullYear() / 100) * 100 + Number(yymmdd.slice(0, 2));
    if (notYetBorn(fullYear)) fullYear -= 100;
    if (sep === '+') fullYear -= 100;
  }
  if (!validDate(fullYear, month, day)) {
    return { ok: false, reason: 'The date part of the personnummer is not a real date.' };
  }
  if (notYetBorn(fullYear)) {
    return { ok: false, reason: 'The date part of the personnummer lies in the future: check for a typo.' };
  }
  if (!luhnValid(yymmdd + last4)) {
    return { ok: false, reason: 'The check digit of the personnummer is wrong: check for a typo.' };
  }
  return { ok: true, value: `${String(fullYear).padStart(4, '0')}${yymmdd.slice(2)}${last4}` };
}

export function isValidPersonnummer(input: string): boolean {
  return parsePersonnummer(input).ok;
}

/** Display form, `YYYYMMDD-NNNN`. */
export function formatPersonnummer(twelveDigits: string): string {
  return `${twelveDigits.slice(0, 8)}-${twelveDigits.slice(8)}`;
}
