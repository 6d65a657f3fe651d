import { inQuietHours, nextAllowedTime } from '../../src/notifications/quiet-hours';

const QUIET: [number, number] = [22, 7];
const at = (iso: string) => new Date(iso);

describe('Q1 quiet hours are read on the Swedish clock, [start, end)', () => {
  test.each([
    ['2026-01-15T20:59:00Z', false], // 21:59 CET
    ['2026-01-15T21:00:00Z', true], // 22:00 CET
    ['2026-01-16T05:59:00Z', true], // 06:59 CET
    ['2026-01-16T06:00:00Z', false], // 07:00 CET
    ['2026-07-15T19:59:00Z', false], // 21:59 CEST
    ['2026-07-15T20:00:00Z', true], // 22:00 CEST
    ['2026-07-16T04:59:00Z', true], // 06:59 CEST
    ['2026-07-16T05:00:00Z', false], // 07:00 CEST
  ])('%s → %s', (iso, quiet) => {
    expect(inQuietHours(at(iso), QUIET)).toBe(quiet);
  });

  test('a window that does not span midnight, and an empty one', () => {
    expect(inQuietHours(at('2026-01-15T00:30:00Z'), [1, 5])).toBe(true); // 01:30 CET
    expect(inQuietHours(at('2026-01-15T04:00:00Z'), [1, 5])).toBe(false); // 05:00 CET
    expect(inQuietHours(at('2026-01-15T23:30:00Z'), [1, 5])).toBe(false); // 00:30 CET
    expect(inQuietHours(at('2026-01-15T21:30:00Z'), [0, 0])).toBe(false);
    expect(inQuietHours(at('2026-01-15T12:00:00Z'), [0, 0])).toBe(false);
  });
});

describe('Q2 nextAllowedTime: now outside quiet hours, else 07:00 local', () => {
  test('outside quiet hours it is now, to the millisecond', () => {
    const now = at('2026-01-15T12:34:56.789Z');
    expect(nextAllowedTime(now, QUIET)).toEqual(now);
  });

  test('23:00 and 02:30 on an ordinary winter night give 07:00 CET', () => {
    expect(nextAllowedTime(at('2026-01-15T22:00:00Z'), QUIET).toISOString()).toBe('2026-01-16T06:00:00.000Z');
    expect(nextAllowedTime(at('2026-01-16T01:30:17Z'), QUIET).toISOString()).toBe('2026-01-16T06:00:00.000Z');
  });

  test('a summer night gives 07:00 CEST', () => {
    expect(nextAllowedTime(at('2026-07-15T21:00:00Z'), QUIET).toISOString()).toBe('2026-07-16T05:00:00.000Z');
  });

  test('2026-03-29, clocks go forward 02:00→03:00: 23:00 CET the evening before gives 07:00 CEST', () => {
    expect(nextAllowedTime(at('2026-03-28T22:00:00Z'), QUIET).toISOString()).toBe('2026-03-29T05:00:00.000Z');
    // 01:59 CET, one minute before the change
    expect(nextAllowedTime(at('2026-03-29T00:59:00Z'), QUIET).toISOString()).toBe('2026-03-29T05:00:00.000Z');
  });

  test('2026-10-25, clocks go back 03:00→02:00: 23:00 CEST the evening before gives 07:00 CET', () => {
    expect(nextAllowedTime(at('2026-10-24T21:00:00Z'), QUIET).toISOString()).toBe('2026-10-25T06:00:00.000Z');
    // 02:30 CEST and then 02:30 CET: both in the repeated hour, both wait for 07:00 CET
    expect(nextAllowedTime(at('2026-10-25T00:30:00Z'), QUIET).toISOString()).toBe('2026-10-25T06:00:00.000Z');
    expect(nextAllowedTime(at('2026-10-25T01:30:00Z'), QUIET).toISOString()).toBe('2026-10-25T06:00:00.000Z');
  });

  test('the result is the first allowed minute: never inside quiet hours, never before now, and quiet the minute before', () => {
    for (let m = 0; m < 48 * 60; m += 7) {
      const now = new Date(Date.parse('2026-10-24T12:00:00Z') + m * 60_000);
      const next = nextAllowedTime(now, QUIET);
      expect(inQuietHours(next, QUIET)).toBe(false);
      expect(next.getTime()).toBeGreaterThanOrEqual(now.getTime());
      if (next !== now) expect(inQuietHours(new Date(next.getTime() - 60_000), QUIET)).toBe(true);
    }
  });
});
