import { Migration } from '@mikro-orm/migrations';

export class Migration20261125000004Notifications extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "notice_kind" as enum ('NEW_MESSAGE', 'READ_RECEIPT', 'UNREAD_COUNT');`);
    this.addSql(`create table "notice" ("seq" bigserial primary key, "party_key" text not null, "kind" "notice_kind" not null, "payload" jsonb not null, "created_at" timestamptz not null);`);
    this.addSql(`create index "notice_party_key_seq_index" on "notice" ("party_key", "seq");`);

    this.addSql(`create table "notification_delivery" ("job_id" uuid not null, "channel" text not null, "message_id" uuid not null, "person_id" uuid not null, "delivered_at" timestamptz not null, constraint "notification_delivery_pkey" primary key ("job_id"));`);

    this.addSql(`alter table "person" add column "mobile_verified" boolean not null default false, add column "email_verified" boolean not null default false;`);
    // Contact details so far were entered by staff: they count as verified.
    this.addSql(`update "person" set "mobile_verified" = "mobile" is not null, "email_verified" = "email" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "notice" cascade;`);

    this.addSql(`drop table if exists "notification_delivery" cascade;`);

    this.addSql(`alter table "person" drop column "mobile_verified", drop column "email_verified";`);

    this.addSql(`drop type "notice_kind";`);
  }

}
