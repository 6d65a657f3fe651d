import { Migration } from '@mikro-orm/migrations';

export class Migration20261202000010MailboxMembershipChanges extends Migration {

  override async up(): Promise<void> {
    // Who added or removed which member of a shared mailbox, and when (separation of duties: the record shows it).
    this.addSql(`create type "membership_change_kind" as enum ('ADDED', 'REMOVED');`);
    this.addSql(`create table "mailbox_membership_change" ("id" uuid not null, "created_at" timestamptz not null, "mailbox_id" uuid not null, "member_id" uuid not null, "changed_by_id" uuid not null, "change" "membership_change_kind" not null, constraint "mailbox_membership_change_pkey" primary key ("id"));`);
    this.addSql(`create index "mailbox_membership_change_mailbox_id_created_at_index" on "mailbox_membership_change" ("mailbox_id", "created_at");`);

    this.addSql(`alter table "mailbox_membership_change" add constraint "mailbox_membership_change_mailbox_id_foreign" foreign key ("mailbox_id") references "shared_mailbox" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "mailbox_membership_change" add constraint "mailbox_membership_change_member_id_foreign" foreign key ("member_id") references "staff" ("id") on update cascade;`);
    this.addSql(`alter table "mailbox_membership_change" add constraint "mailbox_membership_change_changed_by_id_foreign" foreign key ("changed_by_id") references "staff" ("id") on update cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "mailbox_membership_change" cascade;`);

    this.addSql(`drop type "membership_change_kind";`);
  }

}
