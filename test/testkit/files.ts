import { execFile } from 'node:child_process';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';

/** A real PDF, made with pdf-lib, with the given text on its first page. */
export async function makePdf(
  text = 'Beslut om ekonomiskt bistånd',
  opts: { padToBytes?: number } = {},
): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  page.drawText(text, { x: 50, y: 780, size: 14, font });
  if (opts.padToBytes) doc.setSubject('x'.repeat(Math.max(0, opts.padToBytes)));
  return Buffer.from(await doc.save());
}

export interface UploadResult {
  status: number;
  body: any;
}

/** POST /uploads as the API's clients do it: raw bytes, bearer token, file name in the query. */
export async function upload(
  baseUrl: string,
  token: string,
  bytes: Buffer,
  filename: string,
  contentType = 'application/pdf',
): Promise<UploadResult> {
  const url = new URL('/uploads', baseUrl);
  url.searchParams.set('filename', filename);
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body: bytes,
  });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

export async function download(baseUrl: string, token: string, path: string) {
  const res = await fetch(new URL(path, baseUrl), { headers: { authorization: `Bearer ${token}` } });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes };
}

export interface PdfText {
  numPages: number;
  /** The text of each page, lines joined by "\n". */
  pages: string[];
  title: string | null;
}

/** Parses a PDF with pdfjs-dist (ESM-only, so in a child Node process) and returns its text. Fails on a broken PDF. */
export function pdfText(bytes: Buffer): Promise<PdfText> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [path.join(__dirname, 'pdf-text.mjs')],
      { maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`pdf-text failed: ${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as PdfText);
      },
    );
    child.stdin!.end(bytes);
  });
}
