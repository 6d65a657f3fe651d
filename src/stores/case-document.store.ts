import type { EntityManager } from '@mikro-orm/postgresql';
import { CaseDocument } from '../entities/case-document';
import { CaseDocumentPdf } from '../entities/case-document-pdf';
import { sql, uuid, uuidArray, type Sql } from '../domain/sql';
import { isId } from '../domain/ids';
import { query } from './query';

// The statements on case documents and their PDFs. Who may read a document (CD1) is decided in
// src/domain/case-document-policy.ts and arrives here as `readable`, a condition over alias d.

const NEWEST_FIRST = sql`order by d.date desc, d.created_at desc, d.id asc`;

/** The document when the caller may read it; with `forUpdate`, its row locked for the transaction. */
export async function findReadableDocument(
  em: EntityManager,
  { id, readable, forUpdate }: { id: string; readable: Sql; forUpdate: boolean },
): Promise<CaseDocument | null> {
  const [row] = await query(
    em,
    sql`select d.* from case_document d where d.id = ${uuid(id)} and ${readable} ${forUpdate ? sql`for update of d` : sql``}`,
  );
  return row ? em.map(CaseDocument, row) : null;
}

async function readableDocuments(em: EntityManager, where: Sql, readable: Sql): Promise<CaseDocument[]> {
  const rows = await query(em, sql`select d.* from case_document d where ${where} and ${readable} ${NEWEST_FIRST}`);
  return rows.map((row) => em.map(CaseDocument, row));
}

/** The readable documents of a case, newest first, in one statement. */
export function readableDocumentsOfCase(
  em: EntityManager,
  { caseId, readable }: { caseId: string; readable: Sql },
): Promise<CaseDocument[]> {
  return readableDocuments(em, sql`d.case_id = ${uuid(caseId)}`, readable);
}

/** The readable documents of one assignment, newest first. */
export function readableDocumentsOfAssignment(
  em: EntityManager,
  { assignmentId, readable }: { assignmentId: string; readable: Sql },
): Promise<CaseDocument[]> {
  return readableDocuments(em, sql`d.assignment_id = ${uuid(assignmentId)}`, readable);
}

/** The readable documents of many assignments, newest first, in one statement. */
export function readableDocumentsOfAssignments(
  em: EntityManager,
  { assignmentIds, readable }: { assignmentIds: readonly string[]; readable: Sql },
): Promise<CaseDocument[]> {
  return readableDocuments(em, sql`d.assignment_id = any(${uuidArray(assignmentIds.filter(isId))})`, readable);
}

/** The PDFs of the readable documents among `documentIds`, newest first. */
export async function readablePdfsOfDocuments(
  em: EntityManager,
  { documentIds, readable }: { documentIds: readonly string[]; readable: Sql },
): Promise<CaseDocumentPdf[]> {
  const rows = await query(
    em,
    sql`select p.* from case_document_pdf p join case_document d on d.id = p.document_id
         where p.document_id = any(${uuidArray(documentIds.filter(isId))}) and ${readable}
         order by p.created_at desc, p.id desc`,
  );
  return rows.map((row) => em.map(CaseDocumentPdf, row));
}

/** Row lock on an upload being inserted as a document: one insert per upload at a time. */
export async function lockUploadForInsert(em: EntityManager, { uploadId }: { uploadId: string }): Promise<void> {
  await query(em, sql`select 1 from attachment a where a.id = ${uuid(uploadId)} for update`);
}
