import { Migration } from '@mikro-orm/migrations';

export class Migration20261203000010UnreadCounts extends Migration {

  override async up(): Promise<void> {
    // Issue 12: the unread count an UNREAD_COUNT notice carries, kept instead of counted on every send.
    this.addSql(`create table "unread_count" ("party_key" text not null, "unread" int not null, constraint "unread_count_pkey" primary key ("party_key"));`);
    this.addSql(`create table "unread_delta" ("id" bigserial primary key, "party_key" text not null, "delta" int not null);`);
    this.addSql(`create index "unread_delta_party_key_index" on "unread_delta" ("party_key");`);
    // Every change to the unread rows of message_recipient, whichever path makes it (a send, a read, gallring, a cascade),
    // leaves a delta per party; one insert per statement. The notice statement folds them into unread_count.
    this.addSql(`create function message_recipient_unread_inserted() returns trigger language plpgsql as $$
      begin
        insert into unread_delta (party_key, delta)
          select n.party_key, count(*)::int from new_rows n where n.read_at is null group by n.party_key;
        return null;
      end $$;`);
    this.addSql(`create function message_recipient_unread_updated() returns trigger language plpgsql as $$
      begin
        insert into unread_delta (party_key, delta)
          select d.party_key, sum(d.delta)::int from (
              select o.party_key, -1 as delta from old_rows o where o.read_at is null
              union all select n.party_key, 1 from new_rows n where n.read_at is null) d
            group by d.party_key having sum(d.delta) <> 0;
        return null;
      end $$;`);
    this.addSql(`create function message_recipient_unread_deleted() returns trigger language plpgsql as $$
      begin
        insert into unread_delta (party_key, delta)
          select o.party_key, -count(*)::int from old_rows o where o.read_at is null group by o.party_key;
        return null;
      end $$;`);
    this.addSql(`create function message_recipient_unread_truncated() returns trigger language plpgsql as $$
      begin
        delete from unread_delta;
        delete from unread_count;
        return null;
      end $$;`);
    this.addSql(`create trigger message_recipient_unread_inserted after insert on "message_recipient" referencing new table as new_rows for each statement execute function message_recipient_unread_inserted();`);
    this.addSql(`create trigger message_recipient_unread_updated after update on "message_recipient" referencing old table as old_rows new table as new_rows for each statement execute function message_recipient_unread_updated();`);
    this.addSql(`create trigger message_recipient_unread_deleted after delete on "message_recipient" referencing old table as old_rows for each statement execute function message_recipient_unread_deleted();`);
    this.addSql(`create trigger message_recipient_unread_truncated after truncate on "message_recipient" for each statement execute function message_recipient_unread_truncated();`);
    // The counts of the rows already there.
    this.addSql(`insert into "unread_count" ("party_key", "unread") select "party_key", count(*)::int from "message_recipient" where "read_at" is null group by "party_key";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger message_recipient_unread_truncated on "message_recipient";`);
    this.addSql(`drop trigger message_recipient_unread_deleted on "message_recipient";`);
    this.addSql(`drop trigger message_recipient_unread_updated on "message_recipient";`);
    this.addSql(`drop trigger message_recipient_unread_inserted on "message_recipient";`);
    this.addSql(`drop function message_recipient_unread_truncated();`);
    this.addSql(`drop function message_recipient_unread_deleted();`);
    this.addSql(`drop function message_recipient_unread_updated();`);
    this.addSql(`drop function message_recipient_unread_inserted();`);
    this.addSql(`drop table "unread_delta";`);
    this.addSql(`drop table "unread_count";`);
  }

}
