import { Migration } from '@mikro-orm/migrations';

export class Migration20261202000050RelationRights extends Migration {

  override async up(): Promise<void> {
    // Issue 14, item 5: a relation approved for messages reads only, or reads and writes (existing relations keep writing).
    this.addSql(`create type "relation_messaging_rights" as enum ('READ_ONLY', 'READ_AND_WRITE');`);
    this.addSql(`alter table "relation" add column "messaging_rights" "relation_messaging_rights" not null default 'READ_AND_WRITE';`);
    // Issue 11, gap 4: who closed a case.
    this.addSql(`alter table "case_file" add column "closed_by_id" uuid null;`);
    this.addSql(`alter table "case_file" add constraint "case_file_closed_by_id_foreign" foreign key ("closed_by_id") references "staff" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "case_file" drop constraint "case_file_closed_by_id_foreign";`);
    this.addSql(`alter table "case_file" drop column "closed_by_id";`);
    this.addSql(`alter table "relation" drop column "messaging_rights";`);
    this.addSql(`drop type "relation_messaging_rights";`);
  }

}
