import { AccessLogEntry } from './access-log-entry';
import { Assignment, Case, Intervention } from './case';
import { Person } from './person';
import { Relation } from './relation';
import { SharedMailbox, SharedMailboxMember } from './shared-mailbox';
import { Staff } from './staff';
import { Unit } from './unit';

/** Every entity, listed explicitly so discovery works the same from ts, dist and jest. */
export const entities = [Unit, Staff, SharedMailbox, SharedMailboxMember, Person, Case, Intervention, Assignment, Relation, AccessLogEntry];
