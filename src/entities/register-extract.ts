import { Check, Entity, Enum, Index, ManyToOne, OptionalProps, Property, type Opt } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from './base';
import { Person } from './person';
import { Staff } from './staff';

export enum RegisterExtractStatus {
  PENDING = 'PENDING',
  READY = 'READY',
  DOWNLOADED = 'DOWNLOADED',
  FAILED = 'FAILED',
  EXPIRED = 'EXPIRED',
}
registerEnumType(RegisterExtractStatus, {
  name: 'RegisterExtractStatus',
  description: 'Where a register extract (registerutdrag) stands.',
  valuesConfig: {
    PENDING: { description: 'Asked for; the file is being put together in the background.' },
    READY: { description: 'The ZIP can be downloaded, once, from downloadUrl.' },
    DOWNLOADED: { description: 'Downloaded; the file is gone (ask again for a new one).' },
    FAILED: { description: 'Could not be made; ask again, or contact support if it keeps failing.' },
    EXPIRED: { description: 'Not downloaded in time; the file is gone (ask again for a new one).' },
  },
});

/**
 * A register extract (GDPR art. 15): everything the service holds about one
 * person as one ZIP, made by a background job, downloadable once by whoever
 * asked. The row is the record of the request and stays; the file goes when
 * downloaded or expired.
 */
@ObjectType({
  description:
    'A register extract (registerutdrag, GDPR art. 15): a ZIP with everything the service holds about a ' +
    'person, made in the background and downloadable once by whoever asked for it.',
})
@Entity()
@Index({ properties: ['person', 'createdAt'] })
@Check({
  name: 'register_extract_one_requester',
  expression: '(requested_by_person_id is not null)::int + (requested_by_staff_id is not null)::int = 1',
})
export class RegisterExtract extends BaseEntity {
  // `status` has a default; declared here rather than as `Opt` so comparisons keep the plain enum type.
  [OptionalProps]?: 'status';

  /** Whose data the extract holds. */
  @ManyToOne(() => Person)
  person!: Person;

  @ManyToOne(() => Person, { nullable: true })
  requestedByPerson?: Person | null;

  @ManyToOne(() => Staff, { nullable: true })
  requestedByStaff?: Staff | null;

  @Field(() => RegisterExtractStatus, { description: 'Pending, ready, downloaded, failed or expired.' })
  @Enum({ items: () => RegisterExtractStatus, nativeEnumName: 'register_extract_status' })
  status: RegisterExtractStatus = RegisterExtractStatus.PENDING;

  /** The ZIP in the BlobStore while READY. */
  @Property({ type: 'text', nullable: true })
  storageKey?: string | null;

  @Field(() => Int, { nullable: true, description: 'Size of the ZIP in bytes, once made.' })
  @Property({ type: 'integer', nullable: true })
  size?: number | null;

  @Field(() => String, { nullable: true, description: 'SHA-256 (hex) of the ZIP, once made.' })
  @Property({ type: 'text', nullable: true })
  sha256?: string | null;

  @Field(() => Date, { nullable: true, description: 'When the ZIP was ready.' })
  @Property({ type: 'datetime', nullable: true })
  readyAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was downloaded.' })
  @Property({ type: 'datetime', nullable: true })
  downloadedAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'A ready ZIP not downloaded by then is removed.' })
  @Property({ type: 'datetime', nullable: true })
  expiresAt?: Date | null;

  @Field(() => Date, { description: 'When it was asked for.' })
  get requestedAt(): Date & Opt {
    return this.createdAt;
  }
}
