import { Migration } from '@mikro-orm/migrations';

export class Migration20261202000020Retention extends Migration {

  override async up(): Promise<void> {
    // Gallring: the record of each rule's runs (one real run of a rule at a time), legal holds, register extracts; old access-log rows found by date.
    this.addSql(`create type "retention_rule" as enum ('CONVERSATIONS', 'DRAFTS', 'UNSENT_UPLOADS', 'NOTIFICATIONS', 'ACCESS_LOG', 'REGISTER_EXTRACTS');`);
    this.addSql(`create type "retention_run_status" as enum ('RUNNING', 'DONE', 'FAILED', 'ABANDONED');`);
    this.addSql(`create type "register_extract_status" as enum ('PENDING', 'READY', 'DOWNLOADED', 'FAILED', 'EXPIRED');`);
    this.addSql(`create table "retention_run" ("id" uuid not null, "created_at" timestamptz not null, "rule" "retention_rule" not null, "period" text not null, "cutoff" timestamptz not null, "dry_run" boolean not null default false, "status" "retention_run_status" not null default 'RUNNING', "started_by_id" uuid null, "removed" jsonb not null, "kept" jsonb not null, "heartbeat_at" timestamptz not null, "finished_at" timestamptz null, constraint "retention_run_pkey" primary key ("id"));`);
    this.addSql(`create unique index "retention_run_one_running_index" on "retention_run" ("rule") where "status" = 'RUNNING' and not "dry_run";`);
    this.addSql(`create index "retention_run_created_at_index" on "retention_run" ("created_at");`);

    this.addSql(`create table "register_extract" ("id" uuid not null, "created_at" timestamptz not null, "person_id" uuid not null, "requested_by_person_id" uuid null, "requested_by_staff_id" uuid null, "status" "register_extract_status" not null default 'PENDING', "storage_key" text null, "size" int null, "sha256" text null, "ready_at" timestamptz null, "downloaded_at" timestamptz null, "expires_at" timestamptz null, constraint "register_extract_pkey" primary key ("id"), constraint register_extract_one_requester check ((requested_by_person_id is not null)::int + (requested_by_staff_id is not null)::int = 1));`);
    this.addSql(`create index "register_extract_person_id_created_at_index" on "register_extract" ("person_id", "created_at");`);

    this.addSql(`create table "legal_hold" ("id" uuid not null, "created_at" timestamptz not null, "conversation_id" uuid null, "case_id" uuid null, "reason" text not null, "placed_by_id" uuid not null, "released_at" timestamptz null, "released_by_id" uuid null, "release_reason" text null, constraint "legal_hold_pkey" primary key ("id"), constraint legal_hold_one_target check ((conversation_id is not null)::int + (case_id is not null)::int = 1));`);
    this.addSql(`create index "legal_hold_case_id_index" on "legal_hold" ("case_id");`);
    this.addSql(`create index "legal_hold_conversation_id_index" on "legal_hold" ("conversation_id");`);

    this.addSql(`alter table "retention_run" add constraint "retention_run_started_by_id_foreign" foreign key ("started_by_id") references "staff" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "register_extract" add constraint "register_extract_person_id_foreign" foreign key ("person_id") references "person" ("id") on update cascade;`);
    this.addSql(`alter table "register_extract" add constraint "register_extract_requested_by_person_id_foreign" foreign key ("requested_by_person_id") references "person" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "register_extract" add constraint "register_extract_requested_by_staff_id_foreign" foreign key ("requested_by_staff_id") references "staff" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "legal_hold" add constraint "legal_hold_case_id_foreign" foreign key ("case_id") references "case_file" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "legal_hold" add constraint "legal_hold_placed_by_id_foreign" foreign key ("placed_by_id") references "staff" ("id") on update cascade;`);
    this.addSql(`alter table "legal_hold" add constraint "legal_hold_released_by_id_foreign" foreign key ("released_by_id") references "staff" ("id") on update cascade on delete set null;`);

    this.addSql(`create index "access_log_entry_created_at_index" on "access_log_entry" ("created_at");`);
    this.addSql(`alter type "access_action" add value if not exists 'REGISTER_EXTRACT';`);
    // Deleting a message sets its replies' and reply drafts' link to null: without these, one scan of each table per message.
    this.addSql(`create index "message_in_reply_to_id_index" on "message" ("in_reply_to_id");`);
    this.addSql(`create index "draft_reply_to_id_index" on "draft" ("reply_to_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "retention_run" cascade;`);

    this.addSql(`drop table if exists "register_extract" cascade;`);

    this.addSql(`drop table if exists "legal_hold" cascade;`);

    this.addSql(`drop index "access_log_entry_created_at_index";`);
    this.addSql(`drop index "message_in_reply_to_id_index";`);
    this.addSql(`drop index "draft_reply_to_id_index";`);

    this.addSql(`drop type "retention_rule";`);
    this.addSql(`drop type "retention_run_status";`);
    this.addSql(`drop type "register_extract_status";`);
  }

}
