import { Entity, Index, ManyToOne, Property, type Opt } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { BaseEntity } from './base';
import { Message } from './message';
import { Person } from './person';
import { Staff } from './staff';

/**
 * An uploaded PDF. Uploaded first (POST /uploads), then referenced by id when
 * a message is sent; the bytes live behind the BlobStore interface.
 */
@ObjectType({ description: 'A PDF attached to a message. Download it from `downloadUrl` with your bearer token.' })
@Entity()
@Index({ properties: ['message'] })
export class Attachment extends BaseEntity {
  @Field({ description: 'File name, sanitized (safe characters only, ending in .pdf).' })
  @Property({ type: 'text' })
  filename!: string;

  @Field(() => String, { description: 'Media type; always application/pdf.' })
  @Property({ type: 'text' })
  contentType: string & Opt = 'application/pdf';

  @Field(() => Int, { description: 'Size in bytes.' })
  @Property({ type: 'integer' })
  size!: number;

  @Field({ description: 'SHA-256 of the bytes, hex: lets the receiver check the file is unchanged.' })
  @Property({ type: 'text' })
  sha256!: string;

  /** Where the BlobStore keeps the bytes. */
  @Property({ type: 'text' })
  storageKey!: string;

  @ManyToOne(() => Staff, { nullable: true })
  uploadedByStaff?: Staff | null;

  @ManyToOne(() => Person, { nullable: true })
  uploadedByPerson?: Person | null;

  /** Null until the upload is sent with a message (or kept by a draft). */
  @ManyToOne(() => Message, { nullable: true })
  message?: Message | null;
}

/** The PostgreSQL BlobStore's table: bytes only, addressed by storage key. */
@Entity()
export class AttachmentBlob {
  @Property({ type: 'text', primary: true })
  key!: string;

  @Property({ type: 'blob', lazy: true })
  bytes!: Buffer;

  @Property({ type: 'datetime' })
  createdAt: Date & Opt = new Date();
}
