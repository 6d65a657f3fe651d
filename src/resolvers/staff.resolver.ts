import { Arg, Ctx, Field, FieldResolver, ID, InputType, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Authorized, Role } from '../auth/auth-checker';
import type { Context } from '../context';
import { AdminService } from '../domain/admin.service';
import { MailboxMembershipChange, SharedMailbox, SharedMailboxMember } from '../entities/shared-mailbox';
import { Staff, StaffRole } from '../entities/staff';
import { Unit } from '../entities/unit';
import { staffOf } from './viewer';

@InputType({ description: 'A new staff member.' })
class CreateStaffInput {
  @Field({ description: 'Login name from the organisation\'s identity provider, e.g. "mararo01".' })
  username!: string;

  @Field({ description: 'Given name.' })
  givenName!: string;

  @Field({ description: 'Family name.' })
  familyName!: string;

  @Field(() => String, { nullable: true, description: 'Job title shown to citizens.' })
  title?: string | null;

  @Field(() => StaffRole, { description: 'Role.' })
  role!: StaffRole;

  @Field(() => ID, { description: 'The unit they work in.' })
  unitId!: string;
}

@InputType({ description: 'Changes to a staff member; leave a field out to keep it.' })
class UpdateStaffInput {
  @Field(() => String, { nullable: true, description: 'Given name.' })
  givenName?: string | null;

  @Field(() => String, { nullable: true, description: 'Family name.' })
  familyName?: string | null;

  @Field(() => String, { nullable: true, description: 'Job title; null clears it.' })
  title?: string | null;

  @Field(() => StaffRole, { nullable: true, description: 'Role.' })
  role?: StaffRole | null;

  @Field(() => ID, { nullable: true, description: 'Unit.' })
  unitId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'False disables the account at once.' })
  active?: boolean | null;
}

const admin = (ctx: Context) => new AdminService(ctx.em, staffOf(ctx));

@Resolver(() => Staff)
export class StaffResolver {
  @Authorized(Role.STAFF)
  @Query(() => Staff, { description: 'The signed-in staff member.' })
  staffMe(@Ctx() ctx: Context) {
    return staffOf(ctx).staff;
  }

  @Authorized(Role.ADMIN)
  @Query(() => [Staff], { description: 'All staff members (administrators).' })
  async staffMembers(@Ctx() ctx: Context) {
    return admin(ctx).listStaff();
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Staff, { description: 'Add a staff member (administrators). CONFLICT when the username is taken.' })
  async createStaff(
    @Arg('input', () => CreateStaffInput, { description: 'The new staff member.' }) input: CreateStaffInput,
    @Ctx() ctx: Context,
  ) {
    return admin(ctx).createStaff(input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Staff, {
    description: 'Change or disable a staff member (administrators). A disabled account is refused at once.',
  })
  async updateStaff(
    @Arg('id', () => ID, { description: 'The staff member.' }) id: string,
    @Arg('input', () => UpdateStaffInput, { description: 'What to change.' }) input: UpdateStaffInput,
    @Ctx() ctx: Context,
  ) {
    const staff = await admin(ctx).updateStaff(id, input);
    // Committed: the account's open websockets re-check it now (disabled: closed with 4403; a new role applies at once).
    ctx.bus?.announceAccountChange({ kind: 'staff', id: staff.id });
    return staff;
  }

  @FieldResolver(() => Unit, { description: 'The unit the staff member works in.' })
  async unit(@Root() staff: Staff, @Ctx() ctx: Context) {
    return ctx.loaders.unit.load(staff.unit.id);
  }
}

@Resolver(() => Unit)
export class UnitResolver {
  @Authorized(Role.ADMIN)
  @Query(() => [Unit], { description: 'All units (administrators).' })
  async units(@Ctx() ctx: Context) {
    return admin(ctx).listUnits();
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Unit, { description: 'Add a unit (administrators). CONFLICT when the name is taken.' })
  async createUnit(
    @Arg('name', { description: 'Name of the unit.' }) name: string,
    @Arg('municipality', { description: 'Municipality.' }) municipality: string,
    @Ctx() ctx: Context,
  ) {
    return admin(ctx).createUnit(name, municipality);
  }
}

@Resolver(() => SharedMailbox)
export class SharedMailboxResolver {
  @Authorized(Role.STAFF)
  @Query(() => [SharedMailbox], {
    description: 'Shared mailboxes: all of them for administrators, the ones you are a member of for other staff.',
  })
  async sharedMailboxes(@Ctx() ctx: Context) {
    const viewer = staffOf(ctx);
    if (viewer.role === StaffRole.ADMIN) return admin(ctx).listSharedMailboxes();
    const memberships = await ctx.em.find(
      SharedMailboxMember,
      { staff: viewer.staff.id },
      { populate: ['mailbox'], orderBy: { mailbox: { name: 'asc' } } },
    );
    return memberships.map((m) => m.mailbox);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => SharedMailbox, { description: 'Create a shared mailbox for a unit (administrators).' })
  async createSharedMailbox(
    @Arg('name', { description: 'Name of the mailbox.' }) name: string,
    @Arg('unitId', () => ID, { description: 'The unit it belongs to.' }) unitId: string,
    @Ctx() ctx: Context,
  ) {
    return admin(ctx).createSharedMailbox(name, unitId);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => SharedMailbox, {
    description:
      'Let a staff member read and answer from a shared mailbox (administrators). Adding a member twice is harmless.',
  })
  async addSharedMailboxMember(
    @Arg('mailboxId', () => ID, { description: 'The mailbox.' }) mailboxId: string,
    @Arg('staffId', () => ID, { description: 'The staff member.' }) staffId: string,
    @Ctx() ctx: Context,
  ) {
    return admin(ctx).addMailboxMember(mailboxId, staffId);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => SharedMailbox, {
    description: 'Remove a staff member from a shared mailbox (administrators); takes effect at once.',
  })
  async removeSharedMailboxMember(
    @Arg('mailboxId', () => ID, { description: 'The mailbox.' }) mailboxId: string,
    @Arg('staffId', () => ID, { description: 'The staff member.' }) staffId: string,
    @Ctx() ctx: Context,
  ) {
    return admin(ctx).removeMailboxMember(mailboxId, staffId);
  }

  @Authorized(Role.ADMIN)
  @Query(() => [MailboxMembershipChange], {
    description:
      'Who added or removed which member of a shared mailbox, and when, newest first (administrators; at most 500).',
  })
  async sharedMailboxMembershipChanges(
    @Arg('mailboxId', () => ID, { description: 'The mailbox.' }) mailboxId: string,
    @Ctx() ctx: Context,
  ) {
    return admin(ctx).membershipChanges(mailboxId);
  }

  @FieldResolver(() => Unit, { description: 'The unit the mailbox belongs to.' })
  async unit(@Root() mailbox: SharedMailbox, @Ctx() ctx: Context) {
    return ctx.loaders.unit.load(mailbox.unit.id);
  }

  @FieldResolver(() => [Staff], { description: 'Staff who may read and answer from the mailbox.' })
  async members(@Root() mailbox: SharedMailbox, @Ctx() ctx: Context) {
    const members = await ctx.loaders.membersByMailbox.load(mailbox.id);
    return Promise.all(members.map((m) => ctx.loaders.staff.load(m.staff.id)));
  }
}

@Resolver(() => MailboxMembershipChange)
export class MailboxMembershipChangeResolver {
  @FieldResolver(() => Staff, { description: 'The staff member added or removed.' })
  async member(@Root() change: MailboxMembershipChange, @Ctx() ctx: Context) {
    return ctx.loaders.staff.load(change.member.id);
  }

  @FieldResolver(() => Staff, { description: 'The administrator who made the change.' })
  async changedBy(@Root() change: MailboxMembershipChange, @Ctx() ctx: Context) {
    return ctx.loaders.staff.load(change.changedBy.id);
  }

  @FieldResolver(() => ID, { description: 'The shared mailbox.' })
  mailboxId(@Root() change: MailboxMembershipChange): string {
    return change.mailbox.id;
  }
}
