import {
  formatPersonnummer,
  isCoordinationNumber,
  isValidPersonnummer,
  parsePersonnummer,
} from '../../src/domain/personnummer';

// A fixed "today" so the century of 10-digit numbers does not drift with the calendar.
const TODAY = new Date('2026-03-15T12:00:00Z');
const parse = (s: string) => parsePersonnummer(s, TODAY);

describe('PN1 valid numbers come back as 12 digits', () => {
  test.each([
    ['12 digits', '191212121212', '191212121212'],
    ['12 digits with a dash', '19121212-1212', '191212121212'],
    ['surrounding spaces', '  198112189876 ', '198112189876'],
    ['10 digits with a dash, born this century', '121212-1212', '201212121212'],
    ['10 digits with a dash, born last century', '991231-1231', '199912311231'],
    ['10 digits with a plus: aged 100 or more', '121212+1212', '191212121212'],
    ['10 digits with a plus, last century minus one', '991231+1231', '189912311231'],
    ['10 digits without separator', '8112189876', '198112189876'],
    ['a leap day', '20000229-1235', '200002291235'],
    ['samordningsnummer (day + 60), 12 digits', '197010632391', '197010632391'],
    ['samordningsnummer, 10 digits', '701063-2391', '197010632391'],
    [
      'samordningsnummer on the 1st (day 61)',
      `120161-123${checkDigitFor('120161123')}`,
      `20120161123${checkDigitFor('120161123')}`,
    ],
  ])('%s: %s → %s', (_what, input, expected) => {
    expect(parse(input)).toEqual({ ok: true, value: expected });
    expect(isValidPersonnummer(input)).toBe(true);
  });
});

describe('PN2 10-digit numbers: the century is the latest one that puts the birth date on or before today', () => {
  test('a date earlier this year is this century', () => {
    expect(parse(`260101-123${checkDigitFor('260101123')}`)).toMatchObject({
      ok: true,
      value: expect.stringMatching(/^2026/),
    });
  });
  test('a date later this year has not happened yet, so it is the previous century', () => {
    // 2026-12-31 lies after "today" (2026-03-15): the person was born in 1926 and is still 99.
    const r = parse(`261231-001${checkDigitFor('261231001')}`);
    expect(r).toMatchObject({ ok: true, value: expect.stringMatching(/^1926/) });
  });
});

describe('PN3 wrong check digit', () => {
  test.each(['191212121213', '19121212-1213', '121212-1213', '198112189875', '701063-2392'])('%s', (input) => {
    const r = parse(input);
    expect(r.ok).toBe(false);
    expect(r.ok === false && r.reason).toMatch(/check digit/);
  });
});

describe('PN4 impossible dates (with a correct check digit, so the date is what fails)', () => {
  test.each([
    ['29 February in a year that is not a leap year', '191302291230'],
    ['29 February 1900 (not a leap year)', '190002291235'],
    ['30 February', '19190230-1231'],
    ['month 13', '19991301-1236'],
    ['samordningsnummer day 92 (= day 32)', '120092-1235'],
  ])('%s: %s', (_what, input) => {
    const r = parse(input);
    expect(r.ok).toBe(false);
    expect(r.ok === false && r.reason).toMatch(/date/);
  });

  test('a birth date after today', () => {
    const r = parse(`20991231123${checkDigitFor('991231123')}`);
    expect(r.ok).toBe(false);
    expect(r.ok === false && r.reason).toMatch(/date/);
  });
});

describe('PN5 garbage is refused with a message saying the expected shape', () => {
  test.each([
    '',
    '   ',
    'abc',
    'Tolvan',
    '19121212121',
    '1912121212123',
    '19121212 1212',
    '121212/1212',
    '121212--1212',
    '１９１２１２１２１２１２',
  ])('%j', (input) => {
    const r = parse(input);
    expect(r.ok).toBe(false);
    expect(r.ok === false && r.reason).toMatch(/12 digits/);
  });
});

describe('PN7 samordningsnummer (coordination numbers) and numbers never issued', () => {
  test('a samordningsnummer on the 31st (day 91) is valid and known as one; a personnummer is not', () => {
    const input = `19700191-123${checkDigitFor('700191123')}`;
    expect(parse(input)).toEqual({ ok: true, value: input.replace('-', '') });
    expect(isCoordinationNumber(input.replace('-', ''))).toBe(true);
    expect(isCoordinationNumber('197010632391')).toBe(true);
    expect(isCoordinationNumber('191212121212')).toBe(false);
  });

  test('birth number 000 is never issued: refused, saying so', () => {
    const r = parse(`19121212-000${checkDigitFor('121212000')}`);
    expect(r.ok).toBe(false);
    expect(r.ok === false && r.reason).toMatch(/000/);
  });

  test('an interim number (a letter in the birth number) is not a personnummer', () => {
    const r = parse('19121212-T212');
    expect(r.ok).toBe(false);
    expect(r.ok === false && r.reason).toMatch(/12 digits/);
  });
});

test('PN6 display form is YYYYMMDD-NNNN', () => {
  expect(formatPersonnummer('191212121212')).toBe('19121212-1212');
});

/** The Luhn check digit of the 9 digits YYMMDDNNN, computed independently of the module under test. */
function checkDigitFor(nine: string): string {
  const weights = [2, 1, 2, 1, 2, 1, 2, 1, 2];
  const sum = weights.reduce((acc, w, i) => {
    const p = Number(nine[i]) * w;
    return acc + Math.floor(p / 10) + (p % 10);
  }, 0);
  return String((10 - (sum % 10)) % 10);
}
