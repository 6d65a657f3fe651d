import { Migration } from '@mikro-orm/migrations';

export class Migration20261125000001Platform extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "staff_role" as enum ('CASEWORKER', 'EXECUTOR', 'ADMIN');`);
    this.addSql(`create type "access_action" as enum ('PERSON_LIST', 'PERSON_READ', 'PERSON_UPDATE', 'E_SERVICE_CHANGE', 'CASE_READ', 'RELATION_READ', 'RELATION_CHANGE');`);
    this.addSql(`create type "case_status" as enum ('OPEN', 'CLOSED');`);
    this.addSql(`create table "unit" ("id" uuid not null, "created_at" timestamptz not null, "name" text not null, "municipality" text not null, constraint "unit_pkey" primary key ("id"));`);
    this.addSql(`alter table "unit" add constraint "unit_name_unique" unique ("name");`);

    this.addSql(`create table "staff" ("id" uuid not null, "created_at" timestamptz not null, "username" text not null, "given_name" text not null, "family_name" text not null, "title" text null, "role" "staff_role" not null, "unit_id" uuid not null, "active" boolean not null default true, constraint "staff_pkey" primary key ("id"));`);
    this.addSql(`alter table "staff" add constraint "staff_username_unique" unique ("username");`);

    this.addSql(`create table "person" ("id" uuid not null, "created_at" timestamptz not null, "personnummer" text not null, "given_name" text not null, "family_name" text not null, "street" text null, "postal_code" text null, "city" text null, "mobile" text null, "email" text null, "protected_identity" boolean not null default false, "confidentiality_marking" boolean not null default false, "secret_phone_number" boolean not null default false, "needs_interpreter" boolean not null default false, "messaging_enabled" boolean not null default false, "notify_by_sms" boolean not null default false, "notify_by_email" boolean not null default false, "e_service_changed_at" timestamptz null, "e_service_changed_by_id" uuid null, "updated_at" timestamptz not null, constraint "person_pkey" primary key ("id"));`);
    this.addSql(`alter table "person" add constraint "person_personnummer_unique" unique ("personnummer");`);

    this.addSql(`create table "access_log_entry" ("id" uuid not null, "created_at" timestamptz not null, "actor_id" uuid not null, "actor_role" "staff_role" not null, "person_id" uuid not null, "action" "access_action" not null, "request_id" text not null, constraint "access_log_entry_pkey" primary key ("id"));`);
    this.addSql(`create index "access_log_entry_actor_id_created_at_index" on "access_log_entry" ("actor_id", "created_at");`);
    this.addSql(`create index "access_log_entry_person_id_created_at_index" on "access_log_entry" ("person_id", "created_at");`);

    this.addSql(`create table "shared_mailbox" ("id" uuid not null, "created_at" timestamptz not null, "name" text not null, "unit_id" uuid not null, constraint "shared_mailbox_pkey" primary key ("id"));`);
    this.addSql(`alter table "shared_mailbox" add constraint "shared_mailbox_name_unique" unique ("name");`);

    this.addSql(`create table "shared_mailbox_member" ("id" uuid not null, "created_at" timestamptz not null, "mailbox_id" uuid not null, "staff_id" uuid not null, constraint "shared_mailbox_member_pkey" primary key ("id"));`);
    this.addSql(`create index "shared_mailbox_member_staff_id_index" on "shared_mailbox_member" ("staff_id");`);
    this.addSql(`alter table "shared_mailbox_member" add constraint "shared_mailbox_member_mailbox_id_staff_id_unique" unique ("mailbox_id", "staff_id");`);

    this.addSql(`create table "case_file" ("id" uuid not null, "created_at" timestamptz not null, "title" text not null, "holder_id" uuid not null, "unit_id" uuid not null, "caseworker_id" uuid not null, "status" "case_status" not null default 'OPEN', "opened_on" date not null, "closed_on" date null, constraint "case_file_pkey" primary key ("id"));`);
    this.addSql(`create index "case_file_holder_id_index" on "case_file" ("holder_id");`);
    this.addSql(`create index "case_file_caseworker_id_index" on "case_file" ("caseworker_id");`);
    this.addSql(`create index "case_file_unit_id_status_index" on "case_file" ("unit_id", "status");`);

    this.addSql(`create table "relation" ("id" uuid not null, "created_at" timestamptz not null, "case_id" uuid not null, "person_id" uuid not null, "types" text[] not null, "valid_from" date not null, "valid_to" date null, "activated_at" timestamptz null, "activated_by_id" uuid null, "registered_by_id" uuid not null, "updated_at" timestamptz not null, constraint "relation_pkey" primary key ("id"));`);
    this.addSql(`create index "relation_case_id_index" on "relation" ("case_id");`);
    this.addSql(`create index "relation_person_id_index" on "relation" ("person_id");`);
    this.addSql(`alter table "relation" add constraint "relation_case_id_person_id_unique" unique ("case_id", "person_id");`);

    this.addSql(`create table "intervention" ("id" uuid not null, "created_at" timestamptz not null, "case_id" uuid not null, "code" text not null, "name" text not null, "start_date" date not null, "end_date" date null, constraint "intervention_pkey" primary key ("id"));`);
    this.addSql(`create index "intervention_case_id_index" on "intervention" ("case_id");`);

    this.addSql(`create table "assignment" ("id" uuid not null, "created_at" timestamptz not null, "case_id" uuid not null, "intervention_id" uuid null, "executor_id" uuid not null, "description" text not null, "start_date" date not null, "end_date" date null, constraint "assignment_pkey" primary key ("id"));`);
    this.addSql(`create index "assignment_case_id_index" on "assignment" ("case_id");`);
    this.addSql(`create index "assignment_executor_id_index" on "assignment" ("executor_id");`);

    this.addSql(`alter table "staff" add constraint "staff_unit_id_foreign" foreign key ("unit_id") references "unit" ("id") on update cascade;`);

    this.addSql(`alter table "person" add constraint "person_e_service_changed_by_id_foreign" foreign key ("e_service_changed_by_id") references "staff" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "access_log_entry" add constraint "access_log_entry_actor_id_foreign" foreign key ("actor_id") references "staff" ("id") on update cascade;`);
    this.addSql(`alter table "access_log_entry" add constraint "access_log_entry_person_id_foreign" foreign key ("person_id") references "person" ("id") on update cascade;`);

    this.addSql(`alter table "shared_mailbox" add constraint "shared_mailbox_unit_id_foreign" foreign key ("unit_id") references "unit" ("id") on update cascade;`);

    this.addSql(`alter table "shared_mailbox_member" add constraint "shared_mailbox_member_mailbox_id_foreign" foreign key ("mailbox_id") references "shared_mailbox" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "shared_mailbox_member" add constraint "shared_mailbox_member_staff_id_foreign" foreign key ("staff_id") references "staff" ("id") on update cascade;`);

    this.addSql(`alter table "case_file" add constraint "case_file_holder_id_foreign" foreign key ("holder_id") references "person" ("id") on update cascade;`);
    this.addSql(`alter table "case_file" add constraint "case_file_unit_id_foreign" foreign key ("unit_id") references "unit" ("id") on update cascade;`);
    this.addSql(`alter table "case_file" add constraint "case_file_caseworker_id_foreign" foreign key ("caseworker_id") references "staff" ("id") on update cascade;`);

    this.addSql(`alter table "relation" add constraint "relation_case_id_foreign" foreign key ("case_id") references "case_file" ("id") on update cascade;`);
    this.addSql(`alter table "relation" add constraint "relation_person_id_foreign" foreign key ("person_id") references "person" ("id") on update cascade;`);
    this.addSql(`alter table "relation" add constraint "relation_activated_by_id_foreign" foreign key ("activated_by_id") references "staff" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "relation" add constraint "relation_registered_by_id_foreign" foreign key ("registered_by_id") references "staff" ("id") on update cascade;`);

    this.addSql(`alter table "intervention" add constraint "intervention_case_id_foreign" foreign key ("case_id") references "case_file" ("id") on update cascade;`);

    this.addSql(`alter table "assignment" add constraint "assignment_case_id_foreign" foreign key ("case_id") references "case_file" ("id") on update cascade;`);
    this.addSql(`alter table "assignment" add constraint "assignment_intervention_id_foreign" foreign key ("intervention_id") references "intervention" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "assignment" add constraint "assignment_executor_id_foreign" foreign key ("executor_id") references "staff" ("id") on update cascade;`);
  }

}
