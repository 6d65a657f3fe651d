import { Field, ID, ObjectType } from 'type-graphql';
import type { Context } from '../../context';
import { PartyKind, type PartyRef } from '../../entities/party';

/** A sender or recipient as shown in a conversation: a name, never contact details. */
@ObjectType({
  description:
    'A sender or recipient: a staff member, a shared mailbox or a citizen. Shows a name only, never contact details.',
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
  const known = await ctx.loaders.partyName.load(`${ref.kind}:${ref.id}`);
  return { kind: ref.kind, id: ref.id, name: known?.name ?? 'Okänd', title: known?.title ?? null };
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
