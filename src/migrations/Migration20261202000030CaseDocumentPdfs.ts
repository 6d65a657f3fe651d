import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 11, API gaps 1 and 2: executors' documents and print templates.
 *
 * - case_document gets the assignment it belongs to ("Koppla till Uppdrag
 *   IFO"), its origin (written, or a PDF from disk: "Infoga dokument") and,
 *   for inserted files, the sender and the upload it came from.
 * - case_document_pdf: the PDFs made from a locked document ("Skapa PDF":
 *   template, name), several over time; immutable (trigger).
 * - The one PDF a locked document used to have (made when it was locked)
 *   becomes its first case_document_pdf row, then the old columns go.
 */
export class Migration20261202000030CaseDocumentPdfs extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "case_document_origin" as enum ('WRITTEN', 'INSERTED');`);
    this.addSql(`create type "case_document_template" as enum ('BREV', 'KALLELSE', 'BESLUT', 'UTREDNING', 'GENOMFORANDEPLAN');`);
    this.addSql(`create table "case_document_pdf" ("id" uuid not null, "created_at" timestamptz not null, "document_id" uuid not null, "template" "case_document_template" null, "name" text not null, "filename" text not null, "storage_key" text not null, "sha256" text not null, "size" int not null, "created_by_id" uuid not null, constraint "case_document_pdf_pkey" primary key ("id"));`);
    this.addSql(`create index "case_document_pdf_document_id_created_at_index" on "case_document_pdf" ("document_id", "created_at");`);
    this.addSql(`alter table "case_document_pdf" add constraint "case_document_pdf_document_id_foreign" foreign key ("document_id") references "case_document" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "case_document_pdf" add constraint "case_document_pdf_created_by_id_foreign" foreign key ("created_by_id") references "staff" ("id") on update cascade on delete restrict;`);

    // Adding columns rewrites no rows, so the locked-document trigger is not involved.
    this.addSql(`alter table "case_document" add column "assignment_id" uuid null, add column "origin" "case_document_origin" not null default 'WRITTEN', add column "sender_kind" "journal_sender_kind" null, add column "sender_designation" text null, add column "source_upload_id" uuid null;`);
    this.addSql(`alter table "case_document" add constraint "case_document_assignment_id_foreign" foreign key ("assignment_id") references "assignment" ("id") on update cascade on delete restrict;`);
    this.addSql(`create index "case_document_assignment_id_index" on "case_document" ("assignment_id");`);
    this.addSql(`alter table "case_document" add constraint "case_document_source_upload_id_unique" unique ("source_upload_id");`);

    // The PDF each locked document got when it was locked, as its first PDF (template from its kind; name "title date").
    this.addSql(`insert into "case_document_pdf" ("id", "created_at", "document_id", "template", "name", "filename", "storage_key", "sha256", "size", "created_by_id")
      select gen_random_uuid(), coalesce(d.locked_at, d.updated_at), d.id,
             (case d.type when 'DECISION' then 'BESLUT' when 'INVESTIGATION' then 'UTREDNING' else 'BREV' end)::"case_document_template",
             d.title || ' ' || to_char(d.date, 'YYYY-MM-DD'),
             left(regexp_replace(regexp_replace(d.title || ' ' || to_char(d.date, 'YYYY-MM-DD'), '[\\\\/]', '-', 'g'), '[^[:alnum:] ._-]', '_', 'g'), 120) || '.pdf',
             d.pdf_storage_key, d.pdf_sha256, d.pdf_size, coalesce(d.locked_by_id, d.author_id)
        from "case_document" d where d.pdf_storage_key is not null;`);
    this.addSql(`alter table "case_document" drop column "pdf_storage_key", drop column "pdf_sha256", drop column "pdf_size";`);

    // A PDF is never changed or removed: a new one is made instead.
    this.addSql(`create function case_document_pdf_immutable() returns trigger language plpgsql as $$
      begin
        raise exception 'case document PDF % is immutable: make a new PDF instead', old.id using errcode = 'restrict_violation';
      end $$;`);
    this.addSql(`create trigger case_document_pdf_immutable before update or delete on "case_document_pdf" for each row execute function case_document_pdf_immutable();`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "case_document" add column "pdf_storage_key" text null, add column "pdf_sha256" text null, add column "pdf_size" int null;`);
    // Each document keeps its newest PDF; the locked-document trigger is paused for this one copy back.
    this.addSql(`alter table "case_document" disable trigger case_document_locked;`);
    this.addSql(`update "case_document" d set "pdf_storage_key" = p.storage_key, "pdf_sha256" = p.sha256, "pdf_size" = p.size
      from (select distinct on (document_id) * from "case_document_pdf" order by document_id, created_at desc, id desc) p where p.document_id = d.id;`);
    this.addSql(`alter table "case_document" enable trigger case_document_locked;`);
    this.addSql(`drop trigger if exists case_document_pdf_immutable on "case_document_pdf";`);
    this.addSql(`drop function if exists case_document_pdf_immutable();`);
    this.addSql(`drop table if exists "case_document_pdf" cascade;`);
    this.addSql(`alter table "case_document" drop constraint "case_document_assignment_id_foreign";`);
    this.addSql(`alter table "case_document" drop constraint "case_document_source_upload_id_unique";`);
    this.addSql(`drop index "case_document_assignment_id_index";`);
    this.addSql(`alter table "case_document" drop column "assignment_id", drop column "origin", drop column "sender_kind", drop column "sender_designation", drop column "source_upload_id";`);
    this.addSql(`drop type "case_document_template";`);
    this.addSql(`drop type "case_document_origin";`);
  }
}
