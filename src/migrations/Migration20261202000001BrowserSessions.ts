import { Migration } from '@mikro-orm/migrations';

export class Migration20261202000001BrowserSessions extends Migration {

  override async up(): Promise<void> {
    // Browser sign-in (backend-for-frontend): server-side sessions and OIDC sign-ins under way.
    this.addSql(`create table "oidc_login" ("id_hash" text not null, "app" text not null, "state" text not null, "nonce" text not null, "code_verifier" text not null, "return_to" text not null, "expires_at" timestamptz not null, constraint "oidc_login_pkey" primary key ("id_hash"));`);
    this.addSql(`create index "oidc_login_expires_at_index" on "oidc_login" ("expires_at");`);

    this.addSql(`create table "browser_session" ("id_hash" text not null, "staff_id" uuid null, "person_id" uuid null, "created_at" timestamptz not null, "last_seen_at" timestamptz not null, "expires_at" timestamptz not null, constraint "browser_session_pkey" primary key ("id_hash"));`);
    this.addSql(`create index "browser_session_staff_id_index" on "browser_session" ("staff_id");`);
    this.addSql(`create index "browser_session_person_id_index" on "browser_session" ("person_id");`);
    this.addSql(`create index "browser_session_expires_at_index" on "browser_session" ("expires_at");`);

    this.addSql(`alter table "browser_session" add constraint "browser_session_staff_id_foreign" foreign key ("staff_id") references "staff" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "browser_session" add constraint "browser_session_person_id_foreign" foreign key ("person_id") references "person" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "oidc_login" cascade;`);

    this.addSql(`drop table if exists "browser_session" cascade;`);
  }

}
