import { todayInSweden } from '../../src/domain/time';
import { inQuietHours, nextAllowedTime } from '../../src/notifications/quiet-hours';

// todayInSweden and the quiet-hours clock keep their last answer for the current UTC hour (Sweden's offsets from
// UTC are whole hours). Whatever order instants come in, across midnights and daylight-saving changes, the answers
// must be those of formatting each instant on its own.

const reference = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Stockholm',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
});
const swedish = (d: Date) => {
  const parts = reference.formatToParts(d);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return { day: `${part('year')}-${part('month')}-${part('day')}`, hour: Number(part('hour')) };
};

/** Every 7 minutes through two days around each daylight-saving change of 2026 and a winter midnight, and those same
 * instants shuffled (a cached answer for one hour must not leak into another). */
function instants(): Date[] {
  const starts = ['2026-03-28T12:00:00Z', '2026-10-24T12:00:00Z', '2026-12-31T12:00:00Z'];
  const inOrder = starts.flatMap((s) =>
    Array.from({ length: (48 * 60) / 7 }, (_, i) => new Date(Date.parse(s) + i * 7 * 60_000)),
  );
  // A fixed shuffle (no randomness in a test): every 37th, wrapping around.
  const shuffled = inOrder.map((_, i) => inOrder[(i * 37) % inOrder.length]);
  return [...inOrder, ...shuffled];
}

test('todayInSweden is the Swedish calendar day of each instant, in any order', () => {
  for (const d of instants()) expect([d.toISOString(), todayInSweden(d)]).toEqual([d.toISOString(), swedish(d).day]);
});

test('quiet hours follow the Swedish clock of each instant, in any order, across daylight-saving changes', () => {
  for (const d of instants()) {
    const hour = swedish(d).hour;
    expect([d.toISOString(), inQuietHours(d, [22, 7])]).toEqual([d.toISOString(), hour >= 22 || hour < 7]);
    expect([d.toISOString(), inQuietHours(d, [1, 5])]).toEqual([d.toISOString(), hour >= 1 && hour < 5]);
    const next = nextAllowedTime(d, [22, 7]);
    // Outside quiet hours: now; inside: a full local hour of 07 (minute 0), the first after now.
    if (!(hour >= 22 || hour < 7)) expect(next).toBe(d);
    else expect([swedish(next).hour, next.getUTCMinutes(), next > d]).toEqual([7, 0, true]);
  }
});
