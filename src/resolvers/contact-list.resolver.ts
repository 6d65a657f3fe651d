import { Arg, Ctx, Field, FieldResolver, ID, InputType, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Authorized, Role } from '../auth/auth-checker';
import type { Context } from '../context';
import { ContactListService } from '../domain/contact-list.service';
import { ContactList } from '../entities/contact-list';
import { PartyKind } from '../entities/party';
import { Party, toParty } from './types/party';
import { staffOf } from './viewer';

@InputType({ description: 'A contact list to create (no id) or replace.' })
class ContactListInput {
  @Field(() => ID, { nullable: true, description: 'The list to replace; leave out to create one.' })
  id?: string | null;

  @Field({ description: 'Name of the list.' })
  name!: string;

  @Field(() => [ID], { description: 'Staff members on the list.' })
  staffIds!: string[];

  @Field(() => [ID], { description: 'Shared mailboxes on the list.' })
  sharedMailboxIds!: string[];
}

const contactLists = (ctx: Context) => new ContactListService(ctx.em, staffOf(ctx));

@Resolver(() => ContactList)
export class ContactListResolver {
  @Authorized(Role.STAFF)
  @Query(() => [ContactList], { description: 'Your contact lists (Kontaktlistor).' })
  async contactLists(@Ctx() ctx: Context) {
    return contactLists(ctx).list();
  }

  @Authorized(Role.STAFF)
  @Mutation(() => ContactList, { description: 'Create or replace a contact list.' })
  async saveContactList(
    @Arg('input', () => ContactListInput, { description: 'The list.' }) input: ContactListInput,
    @Ctx() ctx: Context,
  ) {
    return contactLists(ctx).save(input);
  }

  @Authorized(Role.STAFF)
  @Mutation(() => Boolean, { description: 'Delete one of your contact lists.' })
  async deleteContactList(@Arg('id', () => ID, { description: 'The list.' }) id: string, @Ctx() ctx: Context) {
    return contactLists(ctx).delete(id);
  }

  @FieldResolver(() => [Party], { description: 'Staff members and shared mailboxes on the list.' })
  async members(@Root() list: ContactList, @Ctx() ctx: Context) {
    const entries = await ctx.loaders.entriesByContactList.load(list.id);
    return Promise.all(
      entries.map((e) =>
        toParty(
          e.staff ? { kind: PartyKind.STAFF, id: e.staff.id } : { kind: PartyKind.SHARED_MAILBOX, id: e.mailbox!.id },
          ctx,
        ),
      ),
    );
  }
}
