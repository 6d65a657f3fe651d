import { Field, ID, ObjectType } from 'type-graphql';
import type { Context } from '../../context';
import { PartyKind, type PartyRef } from '../../entities/party';

/** A sender or recipient as shown in a conversation: a name, never contact details. */
@ObjectType({
  description:
    'A sender or recipient: a staff member, a shared mailbox or a citizen. Shows a name only, never contact details.',
  simpleResolvers: true,
})
export class Party {
  @Field(() => PartyKind, { description: 'What kind of party this is.' })
  kind!: PartyKind;

  @Field(() => ID, { description: 'Id of the staff member, shared mailbox or person; use it to address them.' })
  id!: string;

  @Field({ description: 'Display name.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Job title, for staff.' })
  title!: string | null;
}

/** Names come through one per-request loader: a list of parties of any kinds costs one statement. */
export async function toParty(ref: PartyRef, ctx: Context): Promise<Party> {
  const key = `${ref.kind}:${ref.id}`;
  const known = ctx.loaders.shownParties.get(key) ?? (await ctx.loaders.partyName.load(key));
  return { kind: ref.kind, id: ref.id, name: known?.name ?? 'Okänd', title: known?.title ?? null };
}

/**
 * As `toParty`, but a party a page's statement already named (the inbox's participants and last senders) is
 * answered at once, without a promise: on a page of 50 the promises cost more than the names.
 */
export function shownParty(ref: PartyRef, ctx: Context): Party | Promise<Party> {
  return ctx.loaders.shownParties.get(`${ref.kind}:${ref.id}`) ?? toParty(ref, ctx);
}

/** The party stored on a participant or recipient row. */
export function rowParty(row: {
  kind: PartyKind;
  staff?: { id: string } | null;
  mailbox?: { id: string } | null;
  person?: { id: string } | null;
}): PartyRef {
  return { kind: row.kind, id: (row.staff ?? row.mailbox ?? row.person)!.id };
}
