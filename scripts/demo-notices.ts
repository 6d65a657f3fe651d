import type { Client } from '@urql/core';
import * as citizen from '../clients/citizen/src';
import * as staff from '../clients/staff/src';
import { API, API_B, devToken, key, log, unwrap, ws } from './demo-lib';

/**
 * `npm run demo:notices`: a staff client and a citizen client subscribe on
 * API_URL and receive each other's notices live, while the messages are sent
 * through API_URL_B (a second instance behind Redis, when given).
 */
async function main() {
  const maritaToken = await devToken('staff', 'mararo01');
  const tolvanToken = await devToken('citizen', '191212121212');
  const maritaListen = staff.createStaffClient({ url: API, token: maritaToken, webSocketImpl: ws });
  const tolvanListen = citizen.createCitizenClient({ url: API, token: tolvanToken, webSocketImpl: ws });
  const maritaSend = staff.createStaffClient({
    url: API_B,
    token: maritaToken,
    webSocketImpl: ws,
    subscriptions: false,
  }).client;
  const tolvanSend = citizen.createCitizenClient({
    url: API_B,
    token: tolvanToken,
    webSocketImpl: ws,
    subscriptions: false,
  }).client;

  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  // Notices can arrive before the send's HTTP answer: match on a subject unique to this run.
  const subject = `Nytt möte ${new Date().toISOString().slice(11, 19)}`;
  let sentId: string | undefined;
  let gotReply = false;
  let gotReceipt = false;
  const maybeDone = () => gotReply && gotReceipt && done();

  // Start from the current cursor: whatever happens from here on arrives, even if a socket connects late.
  const startAt = async (c: Client) =>
    unwrap(await c.query(citizen.NoticesSinceDocument, { cursor: null }).toPromise(), 'noticesSince').noticesSince
      .cursor;
  const [tolvanFrom, maritaFrom] = await Promise.all([startAt(tolvanSend), startAt(maritaSend)]);

  const tolvanSub = tolvanListen.client.subscription(citizen.NoticesDocument, { after: tolvanFrom }).subscribe((r) => {
    if (r.error) fail(`Tolvan's subscription on ${API}`, r.error);
    const n = r.data?.notices;
    if (!n) return;
    log(
      `[Tolvan on ${API}] ${n.kind}`,
      n.kind === 'NEW_MESSAGE'
        ? `"${n.subject}" from ${n.senderName}`
        : n.kind === 'UNREAD_COUNT'
          ? `unread: ${n.unreadCount}`
          : '',
    );
    if (n.kind === 'NEW_MESSAGE' && n.subject === subject) {
      sentId = n.messageId!;
      void (async () => {
        await tolvanSend.mutation(citizen.MarkMessageReadDocument, { messageId: n.messageId! }).toPromise();
        await tolvanSend
          .mutation(citizen.ReplyToMessageDocument, {
            messageId: n.messageId!,
            input: { idempotencyKey: key(), body: 'Tack, jag kommer!' },
          })
          .toPromise();
      })();
    }
  });
  const maritaSub = maritaListen.client.subscription(staff.NoticesDocument, { after: maritaFrom }).subscribe((r) => {
    if (r.error) fail(`Marita's subscription on ${API}`, r.error);
    const n = r.data?.notices;
    if (!n) return;
    log(
      `[Marita on ${API}] ${n.kind}`,
      n.kind === 'NEW_MESSAGE'
        ? `"${n.subject}" from ${n.senderName}`
        : n.kind === 'READ_RECEIPT'
          ? `read by ${n.readerName}`
          : `unread in ${n.mailbox.name}: ${n.unreadCount}`,
    );
    if (n.kind === 'READ_RECEIPT' && n.messageId === sentId) gotReceipt = true;
    if (n.kind === 'NEW_MESSAGE' && n.senderName === 'Tolvan Tolvansson') gotReply = true;
    maybeDone();
  });

  const found = unwrap(
    await maritaSend.query(staff.PersonsDocument, { search: '191212121212' }).toPromise(),
    'persons',
  );
  const [sent] = unwrap(
    await maritaSend
      .mutation(staff.SendMessageDocument, {
        input: {
          idempotencyKey: key(),
          to: { personIds: [found.persons.nodes[0].id] },
          subject,
          body: '<p>Kan du komma på tisdag?</p>',
          readReceiptRequested: true,
        },
      })
      .toPromise(),
    'sendMessage',
  ).sendMessage;
  log(`Marita sent "${sent.subject}" through ${API_B}`);

  const timeout = setTimeout(() => {
    console.error('no notices within 10 s: is the server (and, for two instances, Redis) running?');
    process.exit(1);
  }, 10_000);
  await finished;
  clearTimeout(timeout);
  log("Both clients received each other's notices live.");
  tolvanSub.unsubscribe();
  maritaSub.unsubscribe();
  await maritaListen.close();
  await tolvanListen.close();
}

/** A subscription that cannot run (server down, socket refused) ends the demo with the reason, not a silent wait. */
function fail(what: string, error: { message: string; networkError?: unknown }): never {
  const cause = error.networkError as { message?: string; code?: number; reason?: string } | undefined;
  console.error(
    `${what} failed: ${cause?.message ?? (cause?.code ? `socket closed ${cause.code} ${cause.reason ?? ''}` : error.message)}`,
  );
  process.exit(1);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
