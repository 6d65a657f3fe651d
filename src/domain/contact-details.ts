import { badInput } from '../errors';

// Written here rather than with libphonenumber-js (considered and set aside): only Swedish numbers are taken, the
// mobile series are a short fixed list (070, 072, 073, 076, 079; test/domain/contact-details.test.ts pins it down),
// and the refusals name the field and say what to type. The library's numbering-plan metadata would accept more
// than SMS notification can use, and is not among the packages this project's machines install.
// The e-mail check is deliberately loose (one @, a dotted domain): deliverability is the SMTP server's answer.

/**
 * Swedish mobile numbers in E.164 (+467XXXXXXXX). Accepts what people type:
 * 0765270484, 076-527 04 84, +46 76 527 04 84, 0046765270484.
 */
export function normalizeMobile(input: string, field = 'mobile'): string {
  const compact = input.replace(/[\s\-()]/g, '');
  let national: string | undefined;
  if (/^\+46\d+$/.test(compact)) national = compact.slice(3);
  else if (/^0046\d+$/.test(compact)) national = compact.slice(4);
  else if (/^0\d+$/.test(compact)) national = compact.slice(1);
  if (!national || !/^7[02369]\d{7}$/.test(national)) {
    throw badInput(field, 'Give a Swedish mobile number, e.g. 070-123 45 67 or +46701234567.');
  }
  return `+46${national}`;
}

/**
 * Any Swedish phone number (landline or mobile) in E.164 (+46…), for the home
 * and work numbers: 08-123 456 78, 011-12 34 56, +46 8 123 456 78,
 * 0046812345678. Area code and subscriber number together are 7–9 digits
 * after the leading 0.
 */
export function normalizePhone(input: string, field = 'phone'): string {
  const compact = input.replace(/[\s\-()/]/g, '');
  let national: string | undefined;
  if (/^\+46\d+$/.test(compact)) national = compact.slice(3);
  else if (/^0046\d+$/.test(compact)) national = compact.slice(4);
  else if (/^0\d+$/.test(compact)) national = compact.slice(1);
  if (!national || !/^[1-9]\d{6,8}$/.test(national)) {
    throw badInput(field, 'Give a Swedish phone number with its area code, e.g. 08-123 456 78 or 011-12 34 56.');
  }
  return `+46${national}`;
}

const EMAIL =
  /^[^\s@<>()[\]\\,;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function normalizeEmail(input: string, field = 'email'): string {
  const value = input.trim();
  if (value.length > 254 || !EMAIL.test(value)) {
    throw badInput(field, 'Give an e-mail address such as namn@example.se.');
  }
  return value;
}

/** `undefined` leaves a value as it is, `null` or "" clears it, anything else is validated. */
export function optionalContact(
  value: string | null | undefined,
  normalize: (v: string, f: string) => string,
  field: string,
) {
  if (value === undefined) return undefined;
  if (value === null || value.trim() === '') return null;
  return normalize(value, field);
}

export interface EServiceSwitches {
  messagingEnabled: boolean;
  notifyBySms: boolean;
  notifyByEmail: boolean;
}

/** Notifications need somewhere to go, and only make sense while messaging is on. */
export function checkSwitches(
  s: EServiceSwitches,
  mobile: string | null | undefined,
  email: string | null | undefined,
): void {
  if ((s.notifyBySms || s.notifyByEmail) && !s.messagingEnabled) {
    throw badInput(
      'messagingEnabled',
      'Notifications need messaging: turn messaging on, or turn the notifications off.',
    );
  }
  if (s.notifyBySms && !mobile)
    throw badInput('mobile', 'SMS notification needs a mobile number: fill it in, or turn SMS off.');
  if (s.notifyByEmail && !email)
    throw badInput('email', 'E-mail notification needs an e-mail address: fill it in, or turn e-mail off.');
}
