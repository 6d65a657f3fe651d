import Personnummer from 'personnummer';

/**
 * Swedish personal identity numbers (personnummer) and coordination numbers
 * (samordningsnummer, day + 60). Stored and compared as 12 digits, YYYYMMDDNNNC.
 *
 * The rules of the number itself (the date, coordination numbers, the Luhn
 * check digit, no birth number 000, no interim T-numbers) are the
 * `personnummer` package's. Two things stay here, because the package does not
 * do them the way the e-service needs:
 * - the century of a 10-digit number: the package takes it from the current
 *   year alone (so a date later this year would be this century, i.e. not yet
 *   born) and reads the clock itself; here it is the latest century that puts
 *   the birth date on or before `today`, which callers and tests can pass;
 * - why a number is refused: the package only says "invalid"; a person typing
 *   one needs to know whether the shape, the date or the check digit is wrong.
 */
export type PersonnummerResult = { ok: true; value: string } | { ok: false; reason: string };

const SHAPE = /^(\d{2})?(\d{6})([-+]?)(\d{4})$/;

const REASONS = {
  shape: 'A personnummer has 12 digits (YYYYMMDDNNNN) or 10 digits with a separator (YYMMDD-NNNN).',
  date: 'The date part of the personnummer is not a real date.',
  future: 'The date part of the personnummer lies in the future: check for a typo.',
  birthNumber: "The personnummer's birth number (the three digits before the last) cannot be 000: check for a typo.",
  checkDigit: 'The check digit of the personnummer is wrong: check for a typo.',
};

const OPTIONS = { allowCoordinationNumber: true, allowInterimNumber: false };

function parsed(twelve: string): Personnummer | undefined {
  try {
    return Personnummer.parse(twelve, OPTIONS);
  } catch {
    return undefined;
  }
}

/**
 * Accepts `YYYYMMDDNNNC`, `YYYYMMDD-NNNC`, `YYMMDD-NNNC` and `YYMMDD+NNNC`
 * (the plus sign marks a person aged 100 or more) and returns the 12-digit form.
 */
export function parsePersonnummer(input: string, today: Date = new Date()): PersonnummerResult {
  const m = SHAPE.exec(input.trim());
  if (!m) return { ok: false, reason: REASONS.shape };
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
  const twelve = `${String(fullYear).padStart(4, '0')}${yymmdd.slice(2)}${last4}`;
  if (!parsed(twelve)) return { ok: false, reason: refusalReason(twelve) };
  if (notYetBorn(fullYear)) return { ok: false, reason: REASONS.future };
  return { ok: true, value: twelve };
}

/** Why the package refused a well-shaped number: the date is impossible whatever the check digit, the birth number is 000, or the check digit is wrong. */
function refusalReason(twelve: string): string {
  const withoutCheck = twelve.slice(0, 11);
  const someCheckDigitFits = (prefix: string) =>
    Array.from({ length: 10 }, (_, d) => `${prefix}${d}`).some((n) => parsed(n) !== undefined);
  if (someCheckDigitFits(withoutCheck)) return REASONS.checkDigit;
  if (twelve.slice(8, 11) === '000' && someCheckDigitFits(`${twelve.slice(0, 8)}001`)) return REASONS.birthNumber;
  return REASONS.date;
}

export function isValidPersonnummer(input: string): boolean {
  return parsePersonnummer(input).ok;
}

/** A samordningsnummer (coordination number: day + 60), for people not registered in Sweden; given in the 12-digit form. */
export function isCoordinationNumber(twelveDigits: string): boolean {
  return parsed(twelveDigits)?.isCoordinationNumber() ?? false;
}

/** Display form, `YYYYMMDD-NNNN`. */
export function formatPersonnummer(twelveDigits: string): string {
  return `${twelveDigits.slice(0, 8)}-${twelveDigits.slice(8)}`;
}
