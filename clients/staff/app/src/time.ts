const hhmm = new Intl.DateTimeFormat('sv-SE', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Stockholm' });

/** "15:03", Swedish time: the seed's "Senast sparad 15:03". */
export function timeOfDay(iso: string): string {
  return hhmm.format(new Date(iso));
}
