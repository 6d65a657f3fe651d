import { readCookie } from '../../src/auth/request-credential';

describe('CK1 readCookie (the cookie package)', () => {
  test('finds one cookie among others, whatever the spacing', () => {
    expect(readCookie('a=1; ifo_session=abc-_123;b=2', 'ifo_session')).toBe('abc-_123');
    expect(readCookie('a=1;b=2', 'ifo_session')).toBeUndefined();
    expect(readCookie(undefined, 'ifo_session')).toBeUndefined();
  });
  test('the first of a repeated name wins; a name is matched whole, not as a suffix', () => {
    expect(readCookie('ifo_session=first; ifo_session=second', 'ifo_session')).toBe('first');
    expect(readCookie('__Host-ifo_session=x; ifo_session=y', 'ifo_session')).toBe('y');
    expect(readCookie('x_ifo_session=x', 'ifo_session')).toBeUndefined();
  });
  test('percent-encoded values are decoded (session ids are base64url: unchanged)', () => {
    expect(readCookie('n=a%20b', 'n')).toBe('a b');
  });
});
