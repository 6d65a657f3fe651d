import { Migration } from '@mikro-orm/migrations';

export class Migration20261125000003Journal extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "case_document_type" as enum ('DOCUMENT', 'LETTER', 'DECISION', 'INVESTIGATION');`);
    this.addSql(`create type "journal_document_type" as enum ('INCOMING_DOCUMENT', 'OUTGOING_DOCUMENT', 'NOTE');`);
    this.addSql(`create type "journal_sender_kind" as enum ('INDIVIDUAL', 'RELATION', 'STAFF', 'OTHER_AUTHORITY');`);
    this.addSql(`create table "case_document" ("id" uuid not null, "created_at" timestamptz not null, "case_id" uuid not null, "title" text not null, "type" "case_document_type" not null, "date" date not null, "text" text not null, "author_id" uuid not null, "locked_at" timestamptz null, "locked_by_id" uuid null, "pdf_storage_key" text null, "pdf_sha256" text null, "pdf_size" int null, "updated_at" timestamptz not null, constraint "case_document_pkey" primary key ("id"));`);
    this.addSql(`create index "case_document_case_id_date_index" on "case_document" ("case_id", "date");`);

    this.addSql(`create table "journal_entry" ("id" uuid not null, "created_at" timestamptz not null, "person_id" uuid not null, "case_id" uuid not null, "intervention_id" uuid null, "assignment_id" uuid null, "document_type" "journal_document_type" not null, "sender_kind" "journal_sender_kind" not null, "heading" text not null, "sender_designation" text null, "date" date not null, "text" text not null, "message_id" uuid null, "attachment_id" uuid null, "author_id" uuid not null, "corrects_id" uuid null, "target_label" text not null, constraint "journal_entry_pkey" primary key ("id"), constraint journal_entry_attachment_of_message check (attachment_id is null or message_id is not null), constraint journal_entry_assignment_or_intervention check (assignment_id is null or intervention_id is null));`);
    this.addSql(`create index "journal_entry_person_id_index" on "journal_entry" ("person_id");`);
    this.addSql(`create index "journal_entry_message_id_index" on "journal_entry" ("message_id");`);
    this.addSql(`create index "journal_entry_assignment_id_created_at_index" on "journal_entry" ("assignment_id", "created_at");`);
    this.addSql(`create index "journal_entry_case_id_created_at_index" on "journal_entry" ("case_id", "created_at");`);

    this.addSql(`alter table "case_document" add constraint "case_document_case_id_foreign" foreign key ("case_id") references "case_file" ("id") on update cascade;`);
    this.addSql(`alter table "case_document" add constraint "case_document_author_id_foreign" foreign key ("author_id") references "staff" ("id") on update cascade;`);
    this.addSql(`alter table "case_document" add constraint "case_document_locked_by_id_foreign" foreign key ("locked_by_id") references "staff" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "journal_entry" add constraint "journal_entry_person_id_foreign" foreign key ("person_id") references "person" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "journal_entry" add constraint "journal_entry_case_id_foreign" foreign key ("case_id") references "case_file" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "journal_entry" add constraint "journal_entry_intervention_id_foreign" foreign key ("intervention_id") references "intervention" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "journal_entry" add constraint "journal_entry_assignment_id_foreign" foreign key ("assignment_id") references "assignment" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "journal_entry" add constraint "journal_entry_message_id_foreign" foreign key ("message_id") references "message" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "journal_entry" add constraint "journal_entry_attachment_id_foreign" foreign key ("attachment_id") references "attachment" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "journal_entry" add constraint "journal_entry_author_id_foreign" foreign key ("author_id") references "staff" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "journal_entry" add constraint "journal_entry_corrects_id_foreign" foreign key ("corrects_id") references "journal_entry" ("id") on update cascade on delete restrict;`);

    // Immutability in the database too: a journal entry is never changed or removed, only corrected by a new one.
    this.addSql(`create function journal_entry_immutable() returns trigger language plpgsql as $$
      begin
        raise exception 'journal entry % is immutable: write a new entry that corrects it', old.id using errcode = 'restrict_violation';
      end $$;`);
    this.addSql(`create trigger journal_entry_immutable before update or delete on "journal_entry" for each row execute function journal_entry_immutable();`);
    // A locked (write-protected) case document is never changed or removed.
    this.addSql(`create function case_document_locked() returns trigger language plpgsql as $$
      begin
        if old.locked_at is not null then
          raise exception 'case document % is locked (write-protected)', old.id using errcode = 'restrict_violation';
        end if;
        if tg_op = 'DELETE' then return old; end if;
        return new;
      end $$;`);
    this.addSql(`create trigger case_document_locked before update or delete on "case_document" for each row execute function case_document_locked();`);

    this.addSql(`alter type "access_action" add value if not exists 'JOURNAL_READ' after 'ATTACHMENT_DOWNLOAD';`);

    this.addSql(`alter type "access_action" add value if not exists 'JOURNAL_WRITE' after 'JOURNAL_READ';`);

    this.addSql(`alter type "access_action" add value if not exists 'DOCUMENT_READ' after 'JOURNAL_WRITE';`);

    this.addSql(`alter type "access_action" add value if not exists 'DOCUMENT_WRITE' after 'DOCUMENT_READ';`);
  }

  override async down(): Promise<void> {
    // The access_action values added above stay: PostgreSQL cannot drop enum values.
    this.addSql(`drop trigger if exists journal_entry_immutable on "journal_entry";`);
    this.addSql(`drop trigger if exists case_document_locked on "case_document";`);
    this.addSql(`drop function if exists journal_entry_immutable();`);
    this.addSql(`drop function if exists case_document_locked();`);
    this.addSql(`alter table "journal_entry" drop constraint "journal_entry_corrects_id_foreign";`);

    this.addSql(`drop table if exists "case_document" cascade;`);

    this.addSql(`drop table if exists "journal_entry" cascade;`);

    this.addSql(`drop type "case_document_type";`);
    this.addSql(`drop type "journal_document_type";`);
    this.addSql(`drop type "journal_sender_kind";`);
  }

}
