import { PDFDocument, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';

/** What the case-document template prints. No address field exists for a protected identity: the caller passes none. */
export interface CaseDocumentPdfInput {
  municipality: string;
  unit: string;
  date: string;
  title: string;
  typeLabel: string;
  personName: string;
  /** Postal address lines; must be null for a person with protected identity (skyddad folkbokföring). */
  addressLines: string[] | null;
  text: string;
  authorName: string;
  authorTitle?: string | null;
  lockedAt: Date;
}

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const BODY_SIZE = 11;
const LEADING = 15;

/**
 * The standard PDF fonts encode WinAnsi only: Swedish å ä ö and the usual
 * punctuation are there; anything else (emoji, other scripts) would make
 * pdf-lib throw, so it is replaced by "?".
 */
function winAnsi(font: PDFFont, text: string): string {
  const supported = new Set(font.getCharacterSet());
  let out = '';
  for (const ch of text.normalize('NFC').replace(/\t/g, '    ')) {
    const cp = ch.codePointAt(0)!;
    out += ch === '\n' || supported.has(cp) ? ch : '?';
  }
  return out;
}

/** Greedy word wrap; a word longer than the line is broken between characters. */
function wrapText(font: PDFFont, size: number, text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.replace(/\r\n?/g, '\n').split('\n')) {
    let line = '';
    for (const word of paragraph.split(/ +/)) {
      const candidate = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(candidate, size) <= width) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = '';
      let rest = word;
      while (font.widthOfTextAtSize(rest, size) > width) {
        let n = rest.length - 1;
        while (n > 1 && font.widthOfTextAtSize(rest.slice(0, n), size) > width) n--;
        lines.push(rest.slice(0, n));
        rest = rest.slice(n);
      }
      line = rest;
    }
    lines.push(line);
  }
  return lines;
}

/** Renders a locked case document: letterhead (municipality, unit, date), recipient, heading, text, author, page numbers. */
export async function renderCaseDocumentPdf(input: CaseDocumentPdfInput): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const clean = (font: PDFFont, s: string) => winAnsi(font, s);
  doc.setTitle(clean(regular, input.title));
  doc.setSubject(clean(regular, `${input.typeLabel}, ${input.personName}`));
  doc.setAuthor(clean(regular, `${input.authorName}, ${input.unit}`));
  doc.setCreator('IFO Meddelande');
  doc.setProducer('pdf-lib');
  doc.setCreationDate(input.lockedAt);
  doc.setModificationDate(input.lockedAt);

  const width = A4[0] - 2 * MARGIN;
  const pages: PDFPage[] = [];
  let page!: PDFPage;
  let y = 0;
  const newPage = () => {
    page = doc.addPage(A4);
    pages.push(page);
    y = A4[1] - MARGIN;
  };
  const write = (text: string, font: PDFFont, size: number, opts: { x?: number; leading?: number } = {}) => {
    if (y < MARGIN + 30) newPage();
    page.drawText(clean(font, text), { x: opts.x ?? MARGIN, y, size, font });
    y -= opts.leading ?? size + 4;
  };

  newPage();
  // Letterhead: municipality and unit left, date right.
  write(input.municipality, bold, 12);
  write(input.unit, regular, 10);
  const date = clean(regular, input.date);
  page.drawText(date, { x: A4[0] - MARGIN - regular.widthOfTextAtSize(date, 10), y: A4[1] - MARGIN, size: 10, font: regular });
  y -= 24;

  // Recipient block: the name always, the address only when the caller gave one.
  write(input.personName, regular, 11);
  for (const line of input.addressLines ?? []) write(line, regular, 11);
  y -= 24;

  write(input.typeLabel.toUpperCase(), regular, 9);
  for (const line of wrapText(bold, 16, clean(bold, input.title), width)) write(line, bold, 16, { leading: 20 });
  y -= 8;

  for (const line of wrapText(regular, BODY_SIZE, clean(regular, input.text), width)) write(line, regular, BODY_SIZE, { leading: LEADING });
  y -= 24;
  write(input.authorName, regular, 11);
  if (input.authorTitle) write(input.authorTitle, regular, 10);

  pages.forEach((p, i) => {
    const footer = clean(regular, `${input.title} - sida ${i + 1} av ${pages.length}`);
    p.drawText(footer, { x: MARGIN, y: MARGIN / 2, size: 8, font: regular });
  });
  return Buffer.from(await doc.save());
}
