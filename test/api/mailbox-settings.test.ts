import * as citizen from '../../clients/citizen/src';
import {
  ConversationDocument,
  MailboxSettingsDocument,
  SendMessageDocument,
  UpdateMailboxSettingsDocument,
} from '../../clients/staff/src';
import { DEMO } from '../../src/db/demo-data';
import { Staff, StaffRole } from '../../src/entities/staff';
import { key } from '../testkit/messaging';
import type { TestServer } from '../testkit/server';
import { demoWorld, type DemoWorld } from '../testkit/world';

let w: DemoWorld;
let t: TestServer;
let person: Record<string, string>;
let staff: Record<string, string>;
let mailboxId: string;

beforeAll(async () => {
  w = await demoWorld();
  t = w.t;
  person = w.personId;
  staff = w.staffId;
  mailboxId = w.mailboxId;
});
afterAll(() => w.close());

const asStaff = (username: string) => w.staff(username);
const asCitizen = (pnr: string) => w.citizen(pnr);

describe('signature', () => {
  test('the signature is added only when addSignature is true, as escaped text', async () => {
    const marita = await asStaff(DEMO.caseworker);
    const set = await marita.mutate(UpdateMailboxSettingsDocument, {
      input: { signature: 'Marita Aronsson\nSocialsekreterare <IFO>' },
    });
    expect(set.codes).toEqual([]);
    const send = (addSignature?: boolean) =>
      marita.mutate(SendMessageDocument, {
        input: {
          idempotencyKey: key(),
          to: { staffIds: [staff[DEMO.secondCaseworker]] },
          subject: 'Signatur',
          body: '<p>Hej</p>',
          addSignature,
        },
      });
    for (const flag of [undefined, false]) {
      const m = (await send(flag)).data!.sendMessage[0];
      expect(m.bodyText).toBe('Hej');
      expect(m.bodyHtml).toBe('<p>Hej</p>');
    }
    const signed = (await send(true)).data!.sendMessage[0];
    expect(signed.bodyText).toBe('Hej\n\n--\nMarita Aronsson\nSocialsekreterare <IFO>');
    expect(signed.bodyHtml).toContain('Socialsekreterare &lt;IFO&gt;');
    expect(signed.bodyHtml).not.toContain('<IFO>');
  });
});

describe('out-of-office (frånvaro)', () => {
  const away = {
    absenceEnabled: true,
    absenceReply: 'Jag är ledig till måndag. Vid brådskande ärenden, ring växeln.',
    absenceForwardToId: '',
  };

  afterAll(async () => {
    await (await asStaff(DEMO.caseworker)).mutate(UpdateMailboxSettingsDocument, { input: { absenceEnabled: false } });
  });

  test('turning absence on without a reply text is BAD_USER_INPUT on absenceReply, and nothing changes', async () => {
    const e = t.em();
    const marita = await e.findOneOrFail(Staff, { username: DEMO.caseworker }, { populate: ['unit'] });
    e.create(Staff, {
      username: 'ledig01',
      givenName: 'Lena',
      familyName: 'Ledig',
      role: StaffRole.CASEWORKER,
      unit: marita.unit,
    });
    await e.flush();
    const lena = await asStaff('ledig01');
    for (const input of [{ absenceEnabled: true }, { absenceEnabled: true, absenceReply: '   ' }]) {
      const r = await lena.mutate(UpdateMailboxSettingsDocument, { input });
      expect(r.codes).toEqual(['BAD_USER_INPUT']);
      expect(r.errors[0].extensions!.field).toBe('absenceReply');
    }
    expect((await lena.query(MailboxSettingsDocument, {})).data!.mailboxSettings.absenceEnabled).toBe(false);
  });

  test('a message to an absent caseworker is forwarded to the shared mailbox, with one automatic reply per conversation per absence', async () => {
    const marita = await asStaff(DEMO.caseworker);
    const on = await marita.mutate(UpdateMailboxSettingsDocument, {
      input: { ...away, absenceForwardToId: mailboxId },
    });
    expect(on.codes).toEqual([]);
    expect(on.data!.updateMailboxSettings).toMatchObject({ absenceEnabled: true, absenceForwardTo: { id: mailboxId } });

    const tolvan = await asCitizen(DEMO.tolvan);
    const first = (
      await tolvan.mutate(citizen.SendMessageDocument, {
        input: {
          idempotencyKey: key(),
          to: { staffIds: [staff[DEMO.caseworker]] },
          subject: 'Hjälp',
          body: '<p>Ett</p>',
        },
      })
    ).data!.sendMessage[0];
    expect(first.recipients.map((r) => r.id).sort()).toEqual([staff[DEMO.caseworker], mailboxId].sort());
    expect(first.history.map((h) => h.kind)).toEqual(expect.arrayContaining(['SENT', 'FORWARDED', 'AUTO_REPLIED']));

    const autoReplies = async (conversationId: string) => {
      const c = await tolvan.query(citizen.ConversationDocument, { id: conversationId });
      return c.data!.conversation.messages.filter((m) => m.isAutoReply);
    };
    const [auto] = await autoReplies(first.conversationId);
    expect(auto).toMatchObject({
      bodyText: away.absenceReply,
      subject: 'SV: Hjälp',
      sender: { id: staff[DEMO.caseworker] },
      inReplyToId: first.id,
    });
    expect(auto.recipients.map((r) => r.id)).toEqual([person[DEMO.tolvan]]);

    // The mailbox's members see the forwarded conversation.
    const anna = await asStaff(DEMO.secondCaseworker);
    expect((await anna.query(ConversationDocument, { id: first.conversationId })).codes).toEqual([]);

    // A second message in the same conversation, during the same absence: no second automatic reply.
    const again = await tolvan.mutate(citizen.ReplyToMessageDocument, {
      messageId: auto.id,
      input: { idempotencyKey: key(), body: 'Två' },
    });
    expect(again.codes).toEqual([]);
    expect(again.data!.replyToMessage.history.map((h) => h.kind)).not.toContain('AUTO_REPLIED');
    expect(await autoReplies(first.conversationId)).toHaveLength(1);

    // A new conversation during the same absence gets its own automatic reply.
    const other = (
      await tolvan.mutate(citizen.SendMessageDocument, {
        input: {
          idempotencyKey: key(),
          to: { staffIds: [staff[DEMO.caseworker]] },
          subject: 'Annat',
          body: '<p>Tre</p>',
        },
      })
    ).data!.sendMessage[0];
    expect(await autoReplies(other.conversationId)).toHaveLength(1);

    // A new absence (off, then on) answers the first conversation once more.
    expect((await marita.mutate(UpdateMailboxSettingsDocument, { input: { absenceEnabled: false } })).codes).toEqual(
      [],
    );
    expect((await marita.mutate(UpdateMailboxSettingsDocument, { input: { absenceEnabled: true } })).codes).toEqual([]);
    const later = await tolvan.mutate(citizen.ReplyToMessageDocument, {
      messageId: auto.id,
      input: { idempotencyKey: key(), body: 'Fyra' },
    });
    expect(later.codes).toEqual([]);
    expect(await autoReplies(first.conversationId)).toHaveLength(2);
    const last = await autoReplies(first.conversationId);
    expect(last[1].inReplyToId).toBe(later.data!.replyToMessage.id);

    // Once back, no forwarding and no automatic reply.
    expect((await marita.mutate(UpdateMailboxSettingsDocument, { input: { absenceEnabled: false } })).codes).toEqual(
      [],
    );
    const back = await tolvan.mutate(citizen.SendMessageDocument, {
      input: {
        idempotencyKey: key(),
        to: { staffIds: [staff[DEMO.caseworker]] },
        subject: 'Tillbaka?',
        body: '<p>Fem</p>',
      },
    });
    expect(back.data!.sendMessage[0].recipients.map((r) => r.id)).toEqual([staff[DEMO.caseworker]]);
    expect(await autoReplies(back.data!.sendMessage[0].conversationId)).toHaveLength(0);
  });
});
