import { AppError } from '../../src/errors';
import { checkSwitches, normalizeEmail, normalizeMobile, optionalContact } from '../../src/domain/contact-details';

/** The BAD_USER_INPUT error a call throws, with its field. */
function inputError(fn: () => unknown): { code: unknown; field: unknown; message: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    return { code: e.extensions.code, field: e.extensions.field, message: e.message };
  }
  throw new Error('expected an error');
}

describe('CN1 mobile numbers are stored in E.164 whatever the person typed', () => {
  test.each([
    ['0701234567', '+46701234567'],
    ['070-123 45 67', '+46701234567'],
    ['+46 70 123 45 67', '+46701234567'],
    ['0046701234567', '+46701234567'],
    ['(076) 527-04-84', '+46765270484'],
    ['0721234567', '+46721234567'],
    ['0731234567', '+46731234567'],
    ['0791234567', '+46791234567'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeMobile(input)).toBe(expected);
  });

  test.each([
    ['a landline', '011-123 45 67'],
    ['too short', '070123456'],
    ['too long', '07012345678'],
    ['a foreign number', '+4791234567'],
    ['letters', '070-CALL-ME'],
    ['an unused mobile series', '0741234567'],
    ['empty', ''],
  ])('%s (%s) is BAD_USER_INPUT on the given field', (_what, input) => {
    expect(inputError(() => normalizeMobile(input, 'mobile'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'mobile',
    });
    expect(inputError(() => normalizeMobile(input, 'relationMobile'))).toMatchObject({ field: 'relationMobile' });
  });
});

describe('CN2 e-mail addresses', () => {
  test.each(['namn@example.se', 'tolvan.tolvansson+ifo@kommun.soderkoping.se', '  a@b.se  '])(
    '%j is accepted (trimmed)',
    (input) => {
      expect(normalizeEmail(input)).toBe(input.trim());
    },
  );

  test.each([
    'namn',
    'namn@',
    '@example.se',
    'namn@example',
    'na mn@example.se',
    'namn@exa_mple.se',
    '<x>@example.se',
    `${'a'.repeat(250)}@example.se`,
  ])('%j is BAD_USER_INPUT on field email', (input) => {
    expect(inputError(() => normalizeEmail(input))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
  });
});

test('CN3 optional contact: undefined keeps, null or blank clears, anything else is validated', () => {
  expect(optionalContact(undefined, normalizeMobile, 'mobile')).toBeUndefined();
  expect(optionalContact(null, normalizeMobile, 'mobile')).toBeNull();
  expect(optionalContact('   ', normalizeMobile, 'mobile')).toBeNull();
  expect(optionalContact('0701234567', normalizeMobile, 'mobile')).toBe('+46701234567');
  expect(inputError(() => optionalContact('nope', normalizeMobile, 'mobile'))).toMatchObject({ field: 'mobile' });
});

describe('CN4 notification switches need somewhere to go', () => {
  const on = { messagingEnabled: true, notifyBySms: true, notifyByEmail: true };

  test('all on with mobile and e-mail is fine; all off needs nothing', () => {
    expect(() => checkSwitches(on, '+46701234567', 'a@b.se')).not.toThrow();
    expect(() =>
      checkSwitches({ messagingEnabled: false, notifyBySms: false, notifyByEmail: false }, null, null),
    ).not.toThrow();
    expect(() =>
      checkSwitches({ messagingEnabled: true, notifyBySms: false, notifyByEmail: false }, null, null),
    ).not.toThrow();
  });

  test('SMS without a mobile names the field mobile', () => {
    expect(inputError(() => checkSwitches(on, null, 'a@b.se'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'mobile',
    });
  });

  test('e-mail notification without an address names the field email', () => {
    expect(inputError(() => checkSwitches(on, '+46701234567', undefined))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'email',
    });
  });

  test('notifications with messaging off name the field messagingEnabled', () => {
    expect(
      inputError(() =>
        checkSwitches({ messagingEnabled: false, notifyBySms: true, notifyByEmail: false }, '+46701234567', null),
      ),
    ).toMatchObject({
      field: 'messagingEnabled',
    });
  });
});
