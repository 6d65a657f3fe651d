/**
 * Notification texts: that a message is waiting and where to read it, never
 * its subject or body (a phone's lock screen or a shared mailbox must not
 * reveal anything of a social-services matter).
 */
export function notificationText(
  kind: 'new' | 'reminder',
  from: string,
  signInUrl: string,
): { subject: string; text: string } {
  if (kind === 'reminder') {
    return {
      subject: 'Påminnelse: du har ett oläst meddelande',
      text: `Du har ett oläst meddelande från ${from}. Logga in på ${signInUrl} för att läsa det.`,
    };
  }
  return {
    subject: 'Du har fått ett nytt meddelande',
    text: `Du har fått ett nytt meddelande från ${from}. Logga in på ${signInUrl} för att läsa det.`,
  };
}
