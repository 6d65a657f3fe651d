import { Migration } from '@mikro-orm/migrations';

export class Migration20261202000040PersonFlags extends Migration {

  override async up(): Promise<void> {
    // Home and work phone beside the mobile (issue 11, gap 3), and the interpreter's language for Tolkbehov.
    this.addSql(`alter table "person" add column "home_phone" text null, add column "work_phone" text null, add column "interpreter_language" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "person" drop column "home_phone", drop column "work_phone", drop column "interpreter_language";`);
  }

}
