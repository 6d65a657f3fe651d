/** Today's date in Sweden (Europe/Stockholm), as YYYY-MM-DD: validity dates are Swedish calendar days. */
export function todayInSweden(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
