import { Arg, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Authorized, Role } from '../auth/auth-checker';
import type { Context } from '../context';
import { CaseDocumentService } from '../domain/case-document.service';
import { LocalDate } from '../entities/base';
import { Assignment, Case } from '../entities/case';
import { CaseDocument, CaseDocumentType } from '../entities/case-document';
import { CaseDocumentPdf, CaseDocumentTemplate } from '../entities/case-document-pdf';
import { JournalSenderKind } from '../entities/journal-entry';
import { Message } from '../entities/message';
import { Staff } from '../entities/staff';
import { caseEdge } from './guards';
import { staffOf } from './viewer';

@InputType({ description: 'A new case document (Nytt dokument).' })
class CaseDocumentInput {
  @Field({ description: 'Title (rubrik), at most 200 characters.' })
  title!: string;

  @Field(() => CaseDocumentType, { description: 'Kind of document.' })
  type!: CaseDocumentType;

  @Field(() => LocalDate, { nullable: true, description: "The document's date; default today." })
  date?: string | null;

  @Field({ description: 'The text, plain; separate paragraphs with blank lines.' })
  text!: string;

  @Field(() => ID, {
    nullable: true,
    description:
      'The assignment (uppdrag) of this case the document belongs to ("Koppla till Uppdrag IFO"). ' +
      'Executors must give one of their ongoing assignments (BAD_USER_INPUT without, NOT_FOUND for ' +
      'another); caseworkers may link any assignment of the case.',
  })
  assignmentId?: string | null;
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

@InputType({ description: '"Skapa PDF": the print template and the name of a new PDF of a locked document.' })
class CreateCaseDocumentPdfInput {
  @Field(() => CaseDocumentTemplate, { description: 'The print template (Mall), e.g. BREV.' })
  template!: CaseDocumentTemplate;

  @Field({
    description:
      'The name (Benämning), at most 120 characters, e.g. "TEST Utredningsdokument till e-tjänst". It ' +
      'becomes the file name the recipient sees (sanitized, with ".pdf").',
  })
  name!: string;
}

@InputType({
  description: '"Infoga dokument": a PDF from disk, uploaded first with POST /uploads, added to the documentation.',
})
class InsertCaseDocumentInput {
  @Field(() => ID, {
    description:
      'The id POST /uploads answered for your PDF (Fil). It must be your own upload, not yet sent; only PDFs are accepted.',
  })
  uploadId!: string;

  @Field(() => CaseDocumentType, { description: 'Kind of document (Typ).' })
  type!: CaseDocumentType;

  @Field(() => String, { nullable: true, description: 'Heading (Rubrik); default the file\'s name without ".pdf".' })
  title?: string | null;

  @Field(() => JournalSenderKind, { description: 'Who the file came from (Avsändare).' })
  senderKind!: JournalSenderKind;

  @Field(() => String, {
    nullable: true,
    description: 'The sender\'s designation (Benämning avsändare), e.g. "Försäkringskassan" or a name.',
  })
  senderDesignation?: string | null;

  @Field(() => LocalDate, {
    nullable: true,
    description: "The document's date (Skapat), e.g. the day the file came in; default today.",
  })
  date?: string | null;

  @Field(() => ID, {
    nullable: true,
    description:
      'The assignment (uppdrag) of this case to file it under. Executors must give one of their ongoing assignments.',
  })
  assignmentId?: string | null;
}

@InputType({ description: 'Sending a PDF of a locked case document to the case holder as a message attachment.' })
class SendCaseDocumentInput {
  @Field({
    description:
      'A client-generated key for this send (see SendMessageInput.idempotencyKey): a retry returns the first message.',
  })
  idempotencyKey!: string;

  @Field(() => ID, {
    nullable: true,
    description:
      "Which of the document's PDFs to send (CaseDocument.pdfs); default the newest. CASE_DOCUMENT_NO_PDF when the document has none yet.",
  })
  pdfId?: string | null;

  @Field(() => String, { nullable: true, description: "Subject; defaults to the document's title." })
  subject?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Body as HTML (sanitized); defaults to a line naming the attached PDF.',
  })
  body?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Ask for a read receipt.' })
  readReceiptRequested?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Add your signature.' })
  addSignature?: boolean | null;
}

const service = (ctx: Context) => new CaseDocumentService(ctx.em, staffOf(ctx), ctx.requestId, ctx.blobStore, ctx.sink);
const pdfsOf = (ctx: Context, documentId: string) =>
  ctx.loaders.batch('caseDocumentPdfs', documentId, (ids: readonly string[]) => service(ctx).pdfsOf(ids));
const pdfPath = (p: CaseDocumentPdf) => `/case-documents/${p.document.id}/pdfs/${p.id}`;

const WHO =
  'Caseworkers: the documents of the cases in their caseload. Executors: the documents of their ongoing assignments (access ends with the assignment).';

@Resolver(() => CaseDocument)
export class CaseDocumentResolver {
  @Authorized(Role.CASEWORKER, Role.EXECUTOR)
  @Query(() => [CaseDocument], {
    description: `The documents (dokumentation) of a case, newest first. ${WHO} NOT_FOUND for a case you cannot see. Recorded in the access log.`,
  })
  async caseDocuments(@Arg('caseId', () => ID, { description: 'The case.' }) caseId: string, @Ctx() ctx: Context) {
    return service(ctx).ofCase(caseId);
  }

  @Authorized(Role.CASEWORKER, Role.EXECUTOR)
  @Query(() => [CaseDocument], {
    description:
      'The documents of an assignment (Uppdrag IFO → Dokument), newest first: for its executor while it is ongoing, ' +
      'and for the caseworkers of its case. NOT_FOUND otherwise. Recorded in the access log.',
  })
  async assignmentDocuments(
    @Arg('assignmentId', () => ID, { description: 'The assignment.' }) assignmentId: string,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).ofAssignment(assignmentId);
  }

  @Authorized(Role.CASEWORKER, Role.EXECUTOR)
  @Query(() => CaseDocument, {
    description: `One case document. ${WHO} NOT_FOUND otherwise. Recorded in the access log.`,
  })
  async caseDocument(@Arg('id', () => ID, { description: 'The document.' }) id: string, @Ctx() ctx: Context) {
    return service(ctx).get(id);
  }

  @Authorized(Role.CASEWORKER, Role.EXECUTOR)
  @Mutation(() => CaseDocument, {
    description:
      'Write a new document (Nytt dokument) in an ongoing case (CASE_CLOSED otherwise): caseworkers in ' +
      'their caseload, executors in one of their ongoing assignments (input.assignmentId, "Koppla till ' +
      'Uppdrag IFO"). Editable until locked.',
  })
  async createCaseDocument(
    @Arg('caseId', () => ID, { description: 'The case.' }) caseId: string,
    @Arg('input', () => CaseDocumentInput, { description: 'The document.' }) input: CaseDocumentInput,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).create(caseId, input);
  }

  @Authorized(Role.CASEWORKER, Role.EXECUTOR)
  @Mutation(() => CaseDocument, {
    description:
      '"Infoga dokument": add a PDF from disk (uploaded first with POST /uploads) to the documentation of ' +
      'an ongoing case, or of an assignment of yours (executors must give assignmentId). The document is ' +
      'locked from the start and its file is its one PDF, which can be sent like any other. A retry with ' +
      'the same upload returns the same document. Refusals: NOT_FOUND (upload not yours or already sent), ' +
      'CONFLICT (the upload is already a document elsewhere: upload the file again), ' +
      'UNSUPPORTED_FILE_TYPE, CASE_CLOSED.',
  })
  async insertCaseDocument(
    @Arg('caseId', () => ID, { description: 'The case.' }) caseId: string,
    @Arg('input', () => InsertCaseDocumentInput, { description: 'The file and what it is.' })
    input: InsertCaseDocumentInput,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).insert(caseId, input);
  }

  @Authorized(Role.CASEWORKER, Role.EXECUTOR)
  @Mutation(() => CaseDocument, {
    description: 'Change a document that is not locked (CASE_DOCUMENT_LOCKED otherwise).',
  })
  async updateCaseDocument(
    @Arg('id', () => ID, { description: 'The document.' }) id: string,
    @Arg('input', () => CaseDocumentPatchInput, { description: 'What changes.' }) input: CaseDocumentPatchInput,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).update(id, input);
  }

  @Authorized(Role.CASEWORKER, Role.EXECUTOR)
  @Mutation(() => CaseDocument, {
    description:
      'Lock (write-protect, Skrivskydda) a document: it can no longer change. Locking makes no PDF: create ' +
      'one with createCaseDocumentPdf. Locking again changes nothing.',
  })
  async lockCaseDocument(@Arg('id', () => ID, { description: 'The document.' }) id: string, @Ctx() ctx: Context) {
    return service(ctx).lock(id);
  }

  @Authorized(Role.CASEWORKER, Role.EXECUTOR)
  @Mutation(() => CaseDocumentPdf, {
    description:
      '"Skapa PDF": render a locked document (CASE_DOCUMENT_NOT_LOCKED otherwise) with a print template ' +
      'and keep it under a name (Benämning), which becomes the file name when it is sent. Every template ' +
      "prints the municipality's and unit's letterhead, the date, the reference and the recipient (the " +
      "case holder's name; the address only when the person has neither a protected identity nor a " +
      'confidentiality marking). A document may have several PDFs; each stays as made. An inserted ' +
      'document has its file as its PDF (CASE_DOCUMENT_INSERTED).',
  })
  async createCaseDocumentPdf(
    @Arg('documentId', () => ID, { description: 'The locked document.' }) documentId: string,
    @Arg('input', () => CreateCaseDocumentPdfInput, { description: 'Template and name.' })
    input: CreateCaseDocumentPdfInput,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).createPdf(documentId, input);
  }

  @Authorized(Role.CASEWORKER, Role.EXECUTOR)
  @Mutation(() => Message, {
    description:
      'Send a PDF of a locked document (input.pdfId, default the newest) to the case holder as the ' +
      "attachment of a new message, named by the PDF's name (the seed's letter icon). The messaging rules " +
      'of sendMessage apply: an executor writes only while the assignment is ongoing. Refusals: ' +
      'CASE_DOCUMENT_NOT_LOCKED, CASE_DOCUMENT_NO_PDF, and those of sendMessage (RECIPIENT_NOT_ACTIVATED, ' +
      'RECIPIENT_NOT_ALLOWED, IDEMPOTENCY_KEY_REUSED).',
  })
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

  @FieldResolver(() => Assignment, {
    nullable: true,
    description: 'The assignment (Uppdrag IFO) the document belongs to, if any.',
  })
  async assignment(@Root() d: CaseDocument, @Ctx() ctx: Context) {
    return d.assignment ? ctx.loaders.assignment.load(d.assignment.id) : null;
  }

  @FieldResolver(() => Staff, { description: 'Who wrote (or inserted) it.' })
  async author(@Root() d: CaseDocument, @Ctx() ctx: Context) {
    return ctx.loaders.staff.load(d.author.id);
  }

  @FieldResolver(() => Staff, { nullable: true, description: 'Who locked it.' })
  async lockedBy(@Root() d: CaseDocument, @Ctx() ctx: Context) {
    return d.lockedBy ? ctx.loaders.staff.load(d.lockedBy.id) : null;
  }

  @FieldResolver(() => [CaseDocumentPdf], {
    description:
      "The PDFs made from the document (the seed's PDF tab: Skapat, Benämning, Signatur), newest first. " +
      'Empty until one is created with createCaseDocumentPdf; an inserted document has its file.',
  })
  async pdfs(@Root() d: CaseDocument, @Ctx() ctx: Context) {
    return pdfsOf(ctx, d.id);
  }

  @FieldResolver(() => String, {
    nullable: true,
    deprecationReason: 'Use pdfs[0].url (a document may have several PDFs).',
    description: 'Where to download the newest PDF; empty while there is none.',
  })
  async pdfUrl(@Root() d: CaseDocument, @Ctx() ctx: Context): Promise<string | null> {
    const [newest] = await pdfsOf(ctx, d.id);
    return newest ? pdfPath(newest) : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    deprecationReason: 'Use pdfs[0].sha256.',
    description: 'SHA-256 (hex) of the newest PDF; empty while there is none.',
  })
  async pdfSha256(@Root() d: CaseDocument, @Ctx() ctx: Context): Promise<string | null> {
    const [newest] = await pdfsOf(ctx, d.id);
    return newest?.sha256 ?? null;
  }

  @FieldResolver(() => Int, {
    nullable: true,
    deprecationReason: 'Use pdfs[0].size.',
    description: 'Size in bytes of the newest PDF; empty while there is none.',
  })
  async pdfSize(@Root() d: CaseDocument, @Ctx() ctx: Context): Promise<number | null> {
    const [newest] = await pdfsOf(ctx, d.id);
    return newest?.size ?? null;
  }
}

@Resolver(() => CaseDocumentPdf)
export class CaseDocumentPdfResolver {
  @FieldResolver(() => Staff, { description: 'Who made the PDF.' })
  async createdBy(@Root() p: CaseDocumentPdf, @Ctx() ctx: Context) {
    return ctx.loaders.staff.load(p.createdBy.id);
  }

  @FieldResolver(() => String, { description: 'Signatur: the username of who made the PDF, e.g. "mararo01".' })
  async signature(@Root() p: CaseDocumentPdf, @Ctx() ctx: Context): Promise<string> {
    const staff = await ctx.loaders.staff.load(p.createdBy.id);
    return staff?.username ?? '';
  }

  @FieldResolver(() => String, {
    description:
      "Where to download it: GET this path on the API host with your bearer token (who may read the document). Opens in the browser's PDF viewer.",
  })
  url(@Root() p: CaseDocumentPdf): string {
    return pdfPath(p);
  }

  @FieldResolver(() => ID, { description: 'The document it was made from.' })
  documentId(@Root() p: CaseDocumentPdf): string {
    return p.document.id;
  }
}

@Resolver(() => Assignment)
export class AssignmentDocumentsResolver {
  @FieldResolver(() => [CaseDocument], {
    description:
      'The documents of the assignment (Uppdrag IFO → Dokument) that you may read, newest first: its ' +
      'executor while it is ongoing, the caseworkers of its case. Recorded in the access log.',
  })
  async documents(@Root() a: Assignment, @Ctx() ctx: Context) {
    if (ctx.viewer?.kind !== 'staff') return [];
    return ctx.loaders.batch('documentsOfAssignment', a.id, (ids: readonly string[]) =>
      service(ctx).ofAssignments(ids),
    );
  }
}
