import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { CaseDocumentService } from '../domain/case-document.service';
import { LocalDate } from '../entities/base';
import { Case } from '../entities/case';
import { CaseDocument, CaseDocumentType } from '../entities/case-document';
import { Message } from '../entities/message';
import { Staff, StaffRole } from '../entities/staff';
import { caseEdge } from './guards';
import { staffOf } from './viewer';

@InputType({ description: 'A new case document.' })
class CaseDocumentInput {
  @Field({ description: 'Title (rubrik), at most 200 characters.' })
  title!: string;

  @Field(() => CaseDocumentType, { description: 'Kind of document.' })
  type!: CaseDocumentType;

  @Field(() => LocalDate, { nullable: true, description: 'The document\'s date; default today.' })
  date?: string | null;

  @Field({ description: 'The text, plain; separate paragraphs with blank lines.' })
  text!: string;
}

@InputType({ description: 'Changes to a document that is not locked; leave out what stays.' })
class CaseDocumentPatchInput {
  @Field(() => String, { nullable: true, description: 'New title.' })
  title?: string | null;

  @Field(() => CaseDocumentType, { nullable: true, description: 'New kind.' })
  type?: CaseDocumentType | null;

  @Field(() => LocalDate, { nullable: true, description: 'New date.' })
  date?: string | null;

  @Field(() => String, { nullable: true, description: 'New text.' })
  text?: string | null;
}

@InputType({ description: 'Sending a locked case document to the case holder as a PDF attachment.' })
class SendCaseDocumentInput {
  @Field({ description: 'A client-generated key for this send (see SendMessageInput.idempotencyKey): a retry returns the first message.' })
  idempotencyKey!: string;

  @Field(() => String, { nullable: true, description: 'Subject; defaults to the document\'s title.' })
  subject?: string | null;

  @Field(() => String, { nullable: true, description: 'Body as HTML (sanitized); defaults to a line naming the attached document.' })
  body?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Ask for a read receipt.' })
  readReceiptRequested?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Add your signature.' })
  addSignature?: boolean | null;
}

const service = (ctx: Context) => new CaseDocumentService(ctx.em, staffOf(ctx), ctx.requestId, ctx.blobStore, ctx.sink);

@Resolver(() => CaseDocument)
export class CaseDocumentResolver {
  @Authorized(StaffRole.CASEWORKER)
  @Query(() => [CaseDocument], { description: 'The documents (dokumentation) of a case in your caseload, newest first. Recorded in the access log.' })
  async caseDocuments(@Arg('caseId', () => ID, { description: 'The case.' }) caseId: string, @Ctx() ctx: Context) {
    return service(ctx).ofCase(caseId);
  }

  @Authorized(StaffRole.CASEWORKER)
  @Query(() => CaseDocument, { description: 'One case document. NOT_FOUND unless the case is in your caseload. Recorded in the access log.' })
  async caseDocument(@Arg('id', () => ID, { description: 'The document.' }) id: string, @Ctx() ctx: Context) {
    return service(ctx).get(id);
  }

  @Authorized(StaffRole.CASEWORKER)
  @Mutation(() => CaseDocument, { description: 'Write a new document in an ongoing case of your caseload (CASE_CLOSED otherwise).' })
  async createCaseDocument(
    @Arg('caseId', () => ID, { description: 'The case.' }) caseId: string,
    @Arg('input', () => CaseDocumentInput, { description: 'The document.' }) input: CaseDocumentInput,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).create(caseId, input);
  }

  @Authorized(StaffRole.CASEWORKER)
  @Mutation(() => CaseDocument, { description: 'Change a document that is not locked (CASE_DOCUMENT_LOCKED otherwise).' })
  async updateCaseDocument(
    @Arg('id', () => ID, { description: 'The document.' }) id: string,
    @Arg('input', () => CaseDocumentPatchInput, { description: 'What changes.' }) input: CaseDocumentPatchInput,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).update(id, input);
  }

  @Authorized(StaffRole.CASEWORKER)
  @Mutation(() => CaseDocument, { description: 'Lock (write-protect, skrivskydda) a document and render its PDF: municipality, unit, date, heading and the person\'s name (never a protected person\'s address). Locking again changes nothing.' })
  async lockCaseDocument(@Arg('id', () => ID, { description: 'The document.' }) id: string, @Ctx() ctx: Context) {
    return service(ctx).lock(id);
  }

  @Authorized(StaffRole.CASEWORKER)
  @Mutation(() => Message, { description: 'Send from the case: a new message to the case holder with the locked document\'s PDF attached, in one step. Refusals: CASE_DOCUMENT_NOT_LOCKED, and those of sendMessage (RECIPIENT_NOT_ACTIVATED, RECIPIENT_NOT_ALLOWED, IDEMPOTENCY_KEY_REUSED).' })
  async sendCaseDocument(
    @Arg('id', () => ID, { description: 'The locked document.' }) id: string,
    @Arg('input', () => SendCaseDocumentInput, { description: 'The message around it.' }) input: SendCaseDocumentInput,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).send(id, input);
  }

  @FieldResolver(() => Case, { description: 'The case.' })
  async case(@Root() d: CaseDocument, @Ctx() ctx: Context) {
    return caseEdge(ctx, d.case.id);
  }

  @FieldResolver(() => Staff, { description: 'Who wrote it.' })
  async author(@Root() d: CaseDocument, @Ctx() ctx: Context) {
    return ctx.loaders.staff.load(d.author.id);
  }

  @FieldResolver(() => Staff, { nullable: true, description: 'Who locked it.' })
  async lockedBy(@Root() d: CaseDocument, @Ctx() ctx: Context) {
    return d.lockedBy ? ctx.loaders.staff.load(d.lockedBy.id) : null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Where to download the PDF of a locked document: GET this path on the API host with your bearer token (caseworkers of the case). Empty while editable.' })
  pdfUrl(@Root() d: CaseDocument): string | null {
    return d.pdfStorageKey ? `/case-documents/${d.id}/pdf` : null;
  }
}
