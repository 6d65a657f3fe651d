import { Migration } from '@mikro-orm/migrations';

export class Migration20261125000002Messaging extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "party_kind" as enum ('STAFF', 'SHARED_MAILBOX', 'PERSON');`);
    this.addSql(`create type "message_event_kind" as enum ('SENT', 'READ', 'DOWNLOADED', 'FORWARDED', 'AUTO_REPLIED', 'NOTIFIED', 'JOURNALED');`);
    this.addSql(`create table "attachment_blob" ("key" text not null, "bytes" bytea not null, "created_at" timestamptz not null, constraint "attachment_blob_pkey" primary key ("key"));`);

    this.addSql(`create table "send_request" ("id" uuid not null, "created_at" timestamptz not null, "sender_key" text not null, "key" text not null, "payload_hash" text not null, "message_ids" jsonb not null, constraint "send_request_pkey" primary key ("id"));`);
    this.addSql(`alter table "send_request" add constraint "send_request_sender_key_key_unique" unique ("sender_key", "key");`);

    this.addSql(`create table "contact_list" ("id" uuid not null, "created_at" timestamptz not null, "owner_id" uuid not null, "name" text not null, constraint "contact_list_pkey" primary key ("id"));`);
    this.addSql(`create index "contact_list_owner_id_index" on "contact_list" ("owner_id");`);
    this.addSql(`alter table "contact_list" add constraint "contact_list_owner_id_name_unique" unique ("owner_id", "name");`);

    this.addSql(`create table "auto_reply_sent" ("staff_id" uuid not null, "conversation_id" uuid not null, "absence_since" timestamptz not null, constraint "auto_reply_sent_pkey" primary key ("staff_id", "conversation_id", "absence_since"));`);

    this.addSql(`create table "mailbox_settings" ("staff_id" uuid not null, "signature" text not null default '', "absence_enabled" boolean not null default false, "absence_reply" text not null default '', "absence_forward_to_id" uuid null, "absence_since" timestamptz null, "updated_at" timestamptz not null, constraint "mailbox_settings_pkey" primary key ("staff_id"));`);

    this.addSql(`create table "contact_list_entry" ("id" uuid not null, "created_at" timestamptz not null, "list_id" uuid not null, "staff_id" uuid null, "mailbox_id" uuid null, constraint "contact_list_entry_pkey" primary key ("id"), constraint contact_list_entry_one_party check ((staff_id is not null)::int + (mailbox_id is not null)::int = 1));`);
    this.addSql(`create index "contact_list_entry_list_id_index" on "contact_list_entry" ("list_id");`);

    this.addSql(`create table "conversation" ("id" uuid not null, "created_at" timestamptz not null, "subject" text not null, "citizen_id" uuid null, "case_id" uuid null, "last_message_at" timestamptz not null, constraint "conversation_pkey" primary key ("id"));`);
    this.addSql(`create index "conversation_citizen_id_index" on "conversation" ("citizen_id");`);
    this.addSql(`create index "conversation_case_id_index" on "conversation" ("case_id");`);
    this.addSql(`create index "conversation_last_message_at_id_index" on "conversation" ("last_message_at", "id");`);

    this.addSql(`create table "message" ("id" uuid not null, "created_at" timestamptz not null, "conversation_id" uuid not null, "sender_kind" "party_kind" not null, "sender_staff_id" uuid null, "sender_mailbox_id" uuid null, "sender_person_id" uuid null, "subject" text not null, "body_html" text not null, "body_text" text not null, "read_receipt_requested" boolean not null default false, "is_auto_reply" boolean not null default false, "in_reply_to_id" uuid null, constraint "message_pkey" primary key ("id"), constraint message_one_sender check ((sender_staff_id is not null)::int + (sender_person_id is not null)::int = 1));`);
    this.addSql(`create index "message_conversation_id_created_at_index" on "message" ("conversation_id", "created_at");`);

    this.addSql(`create table "message_recipient" ("id" uuid not null, "created_at" timestamptz not null, "message_id" uuid not null, "conversation_id" uuid not null, "kind" "party_kind" not null, "party_key" text not null, "staff_id" uuid null, "mailbox_id" uuid null, "person_id" uuid null, "forwarded" boolean not null default false, "read_at" timestamptz null, "read_by_staff_id" uuid null, constraint "message_recipient_pkey" primary key ("id"), constraint message_recipient_one_party check ((staff_id is not null)::int + (mailbox_id is not null)::int + (person_id is not null)::int = 1));`);
    this.addSql(`alter table "message_recipient" add constraint "message_recipient_message_id_party_key_unique" unique ("message_id", "party_key");`);

    this.addSql(`create table "message_event" ("id" uuid not null, "created_at" timestamptz not null, "message_id" uuid not null, "kind" "message_event_kind" not null, "actor_name" text null, "detail" text null, constraint "message_event_pkey" primary key ("id"));`);
    this.addSql(`create index "message_event_message_id_created_at_index" on "message_event" ("message_id", "created_at");`);

    this.addSql(`create table "draft" ("id" uuid not null, "created_at" timestamptz not null, "owner_staff_id" uuid null, "owner_person_id" uuid null, "from_mailbox_id" uuid null, "addressees" jsonb not null, "reply_to_id" uuid null, "case_id" uuid null, "subject" text not null default '', "body_html" text not null default '', "read_receipt_requested" boolean not null default false, "add_signature" boolean not null default false, "attachment_ids" jsonb not null, "saved_at" timestamptz not null, constraint "draft_pkey" primary key ("id"));`);
    this.addSql(`create index "draft_owner_staff_id_index" on "draft" ("owner_staff_id");`);
    this.addSql(`create index "draft_owner_person_id_index" on "draft" ("owner_person_id");`);

    this.addSql(`create table "attachment" ("id" uuid not null, "created_at" timestamptz not null, "filename" text not null, "content_type" text not null default 'application/pdf', "size" int not null, "sha256" text not null, "storage_key" text not null, "uploaded_by_staff_id" uuid null, "uploaded_by_person_id" uuid null, "message_id" uuid null, constraint "attachment_pkey" primary key ("id"));`);
    this.addSql(`create index "attachment_message_id_index" on "attachment" ("message_id");`);

    this.addSql(`create table "conversation_participant" ("id" uuid not null, "created_at" timestamptz not null, "conversation_id" uuid not null, "kind" "party_kind" not null, "party_key" text not null, "staff_id" uuid null, "mailbox_id" uuid null, "person_id" uuid null, constraint "conversation_participant_pkey" primary key ("id"), constraint conversation_participant_one_party check ((staff_id is not null)::int + (mailbox_id is not null)::int + (person_id is not null)::int = 1));`);
    this.addSql(`create index "conversation_participant_party_key_conversation_id_index" on "conversation_participant" ("party_key", "conversation_id");`);
    this.addSql(`alter table "conversation_participant" add constraint "conversation_participant_conversation_id_party_key_unique" unique ("conversation_id", "party_key");`);

    this.addSql(`alter table "contact_list" add constraint "contact_list_owner_id_foreign" foreign key ("owner_id") references "staff" ("id") on update cascade;`);

    this.addSql(`alter table "auto_reply_sent" add constraint "auto_reply_sent_staff_id_foreign" foreign key ("staff_id") references "staff" ("id") on update cascade;`);

    this.addSql(`alter table "mailbox_settings" add constraint "mailbox_settings_staff_id_foreign" foreign key ("staff_id") references "staff" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "mailbox_settings" add constraint "mailbox_settings_absence_forward_to_id_foreign" foreign key ("absence_forward_to_id") references "shared_mailbox" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "contact_list_entry" add constraint "contact_list_entry_list_id_foreign" foreign key ("list_id") references "contact_list" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "contact_list_entry" add constraint "contact_list_entry_staff_id_foreign" foreign key ("staff_id") references "staff" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "contact_list_entry" add constraint "contact_list_entry_mailbox_id_foreign" foreign key ("mailbox_id") references "shared_mailbox" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "conversation" add constraint "conversation_citizen_id_foreign" foreign key ("citizen_id") references "person" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "conversation" add constraint "conversation_case_id_foreign" foreign key ("case_id") references "case_file" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "message" add constraint "message_conversation_id_foreign" foreign key ("conversation_id") references "conversation" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "message" add constraint "message_sender_staff_id_foreign" foreign key ("sender_staff_id") references "staff" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "message" add constraint "message_sender_mailbox_id_foreign" foreign key ("sender_mailbox_id") references "shared_mailbox" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "message" add constraint "message_sender_person_id_foreign" foreign key ("sender_person_id") references "person" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "message" add constraint "message_in_reply_to_id_foreign" foreign key ("in_reply_to_id") references "message" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "message_recipient" add constraint "message_recipient_message_id_foreign" foreign key ("message_id") references "message" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "message_recipient" add constraint "message_recipient_conversation_id_foreign" foreign key ("conversation_id") references "conversation" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "message_recipient" add constraint "message_recipient_staff_id_foreign" foreign key ("staff_id") references "staff" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "message_recipient" add constraint "message_recipient_mailbox_id_foreign" foreign key ("mailbox_id") references "shared_mailbox" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "message_recipient" add constraint "message_recipient_person_id_foreign" foreign key ("person_id") references "person" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "message_recipient" add constraint "message_recipient_read_by_staff_id_foreign" foreign key ("read_by_staff_id") references "staff" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "message_event" add constraint "message_event_message_id_foreign" foreign key ("message_id") references "message" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "draft" add constraint "draft_owner_staff_id_foreign" foreign key ("owner_staff_id") references "staff" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "draft" add constraint "draft_owner_person_id_foreign" foreign key ("owner_person_id") references "person" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "draft" add constraint "draft_from_mailbox_id_foreign" foreign key ("from_mailbox_id") references "shared_mailbox" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "draft" add constraint "draft_reply_to_id_foreign" foreign key ("reply_to_id") references "message" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "draft" add constraint "draft_case_id_foreign" foreign key ("case_id") references "case_file" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "attachment" add constraint "attachment_uploaded_by_staff_id_foreign" foreign key ("uploaded_by_staff_id") references "staff" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "attachment" add constraint "attachment_uploaded_by_person_id_foreign" foreign key ("uploaded_by_person_id") references "person" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "attachment" add constraint "attachment_message_id_foreign" foreign key ("message_id") references "message" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "conversation_participant" add constraint "conversation_participant_conversation_id_foreign" foreign key ("conversation_id") references "conversation" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "conversation_participant" add constraint "conversation_participant_staff_id_foreign" foreign key ("staff_id") references "staff" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "conversation_participant" add constraint "conversation_participant_mailbox_id_foreign" foreign key ("mailbox_id") references "shared_mailbox" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "conversation_participant" add constraint "conversation_participant_person_id_foreign" foreign key ("person_id") references "person" ("id") on update cascade on delete set null;`);

    this.addSql(`alter type "access_action" add value if not exists 'CONVERSATION_LIST' after 'RELATION_CHANGE';`);

    this.addSql(`alter type "access_action" add value if not exists 'CONVERSATION_READ' after 'CONVERSATION_LIST';`);

    this.addSql(`alter type "access_action" add value if not exists 'MESSAGE_SENT' after 'CONVERSATION_READ';`);

    this.addSql(`alter type "access_action" add value if not exists 'ATTACHMENT_DOWNLOAD' after 'MESSAGE_SENT';`);
    // Unread counts per mailbox and per conversation read only unread rows.
    this.addSql(`create index "message_recipient_unread_index" on "message_recipient" ("party_key", "conversation_id") where "read_at" is null;`);
    // Every recipient row of a conversation (receipts, unread fallbacks).
    this.addSql(`create index "message_recipient_conversation_id_index" on "message_recipient" ("conversation_id");`);
  }


  override async down(): Promise<void> {
    this.addSql(`alter table "contact_list_entry" drop constraint "contact_list_entry_list_id_foreign";`);

    this.addSql(`alter table "message" drop constraint "message_conversation_id_foreign";`);

    this.addSql(`alter table "message_recipient" drop constraint "message_recipient_conversation_id_foreign";`);

    this.addSql(`alter table "conversation_participant" drop constraint "conversation_participant_conversation_id_foreign";`);

    this.addSql(`alter table "message" drop constraint "message_in_reply_to_id_foreign";`);

    this.addSql(`alter table "message_recipient" drop constraint "message_recipient_message_id_foreign";`);

    this.addSql(`alter table "message_event" drop constraint "message_event_message_id_foreign";`);

    this.addSql(`alter table "draft" drop constraint "draft_reply_to_id_foreign";`);

    this.addSql(`alter table "attachment" drop constraint "attachment_message_id_foreign";`);

    this.addSql(`drop table if exists "attachment_blob" cascade;`);

    this.addSql(`drop table if exists "send_request" cascade;`);

    this.addSql(`drop table if exists "contact_list" cascade;`);

    this.addSql(`drop table if exists "auto_reply_sent" cascade;`);

    this.addSql(`drop table if exists "mailbox_settings" cascade;`);

    this.addSql(`drop table if exists "contact_list_entry" cascade;`);

    this.addSql(`drop table if exists "conversation" cascade;`);

    this.addSql(`drop table if exists "message" cascade;`);

    this.addSql(`drop table if exists "message_recipient" cascade;`);

    this.addSql(`drop table if exists "message_event" cascade;`);

    this.addSql(`drop table if exists "draft" cascade;`);

    this.addSql(`drop table if exists "attachment" cascade;`);

    this.addSql(`drop table if exists "conversation_participant" cascade;`);

    this.addSql(`drop type "party_kind";`);
    this.addSql(`drop type "message_event_kind";`);
  }

}
