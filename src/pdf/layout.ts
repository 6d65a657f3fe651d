import type { PDFDocument, PDFFont, PDFPage } from 'pdf-lib';

type PdfLib = typeof import('pdf-lib');
let loaded: PdfLib | undefined;
/**
 * pdf-lib, loaded with the first document rather than at start: few requests make a PDF, and loading it cost every
 * `npm start` ~0.1 s (issue 12 item 4). A require: an import() would stay a real ESM import in tsc's output.
 */
function pdfLib(): PdfLib {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require('pdf-lib') as PdfLib);
}
const grey = () => pdfLib().rgb(0.45, 0.45, 0.45);

/** A4 in points, and the house margins. */
export const A4: [number, number] = [595.28, 841.89];
export const MARGIN = 56;
const BOTTOM = MARGIN + 36;

/**
 * The standard PDF fonts encode WinAnsi only: Swedish å ä ö and the usual
 * punctuation are there; anything else (emoji, other scripts) would make
 * pdf-lib throw, so it is replaced by "?".
 */
export function winAnsi(font: PDFFont, text: string): string {
  const supported = new Set(font.getCharacterSet());
  let out = '';
  for (const ch of text.normalize('NFC').replace(/\t/g, '    ')) {
    const cp = ch.codePointAt(0)!;
    out += ch === '\n' || supported.has(cp) ? ch : '?';
  }
  return out;
}

/** Greedy word wrap; a word longer than the line is broken between characters. */
export function wrapText(font: PDFFont, size: number, text: string, width: number): string[] {
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

export interface TextOptions {
  font?: 'regular' | 'bold';
  size?: number;
  /** Distance to the next line; default size + 4. */
  leading?: number;
  /** Left edge; default the margin. */
  x?: number;
  /** Width to wrap in; default from x to the right margin. */
  width?: number;
}

/**
 * A flowing A4 document: text is written top-down, wrapped, and continues on
 * a new page (with the running head the caller draws) when the page is full.
 */
export class PdfWriter {
  readonly pages: PDFPage[] = [];
  page!: PDFPage;
  /** The baseline of the next line. */
  y = 0;

  private constructor(
    readonly doc: PDFDocument,
    readonly regular: PDFFont,
    readonly bold: PDFFont,
    private readonly runningHead: (w: PdfWriter) => void,
  ) {}

  static async create(runningHead: (w: PdfWriter) => void = () => undefined): Promise<PdfWriter> {
    const { PDFDocument, StandardFonts } = pdfLib();
    const doc = await PDFDocument.create();
    const w = new PdfWriter(
      doc,
      await doc.embedFont(StandardFonts.Helvetica),
      await doc.embedFont(StandardFonts.HelveticaBold),
      runningHead,
    );
    w.addPage(false);
    return w;
  }

  get contentWidth(): number {
    return A4[0] - 2 * MARGIN;
  }

  font(which: 'regular' | 'bold' = 'regular'): PDFFont {
    return which === 'bold' ? this.bold : this.regular;
  }

  clean(text: string, which: 'regular' | 'bold' = 'regular'): string {
    return winAnsi(this.font(which), text);
  }

  addPage(withHead = true): void {
    this.page = this.doc.addPage(A4);
    this.pages.push(this.page);
    this.y = A4[1] - MARGIN;
    if (withHead) this.runningHead(this);
  }

  /** Starts a new page unless `height` points still fit above the footer. */
  ensure(height: number): void {
    if (this.y - height < BOTTOM) this.addPage();
  }

  /** Draws one line at (x, y) without moving the flow. */
  at(text: string, x: number, y: number, opts: { font?: 'regular' | 'bold'; size?: number } = {}): void {
    const font = this.font(opts.font);
    this.page.drawText(winAnsi(font, text), { x, y, size: opts.size ?? 10, font });
  }

  /** Draws one line right-aligned to `right` at height y. */
  atRight(text: string, right: number, y: number, opts: { font?: 'regular' | 'bold'; size?: number } = {}): void {
    const font = this.font(opts.font);
    const clean = winAnsi(font, text);
    const size = opts.size ?? 10;
    this.page.drawText(clean, { x: right - font.widthOfTextAtSize(clean, size), y, size, font });
  }

  /** Writes wrapped text in the flow. */
  text(text: string, opts: TextOptions = {}): void {
    const font = this.font(opts.font);
    const size = opts.size ?? 11;
    const leading = opts.leading ?? size + 4;
    const x = opts.x ?? MARGIN;
    const width = opts.width ?? A4[0] - MARGIN - x;
    for (const line of wrapText(font, size, winAnsi(font, text), width)) {
      this.ensure(leading);
      this.page.drawText(line, { x, y: this.y, size, font });
      this.y -= leading;
    }
  }

  /** Label and value on one line (the value wraps under itself). */
  field(label: string, value: string, opts: { labelWidth?: number; size?: number } = {}): void {
    const size = opts.size ?? 10;
    const labelWidth = opts.labelWidth ?? 110;
    this.ensure(size + 4);
    const top = this.y;
    this.at(label, MARGIN, top, { font: 'bold', size });
    this.text(value, { x: MARGIN + labelWidth, size });
  }

  gap(points: number): void {
    this.y -= points;
  }

  /** A thin horizontal rule across the text column. */
  rule(): void {
    this.ensure(8);
    this.page.drawLine({
      start: { x: MARGIN, y: this.y + 4 },
      end: { x: A4[0] - MARGIN, y: this.y + 4 },
      thickness: 0.5,
      color: grey(),
    });
    this.y -= 8;
  }

  /** A framed box around wrapped text (e.g. a notice to the reader). */
  box(text: string, opts: { size?: number } = {}): void {
    const size = opts.size ?? 10;
    const leading = size + 4;
    const lines = wrapText(this.regular, size, winAnsi(this.regular, text), this.contentWidth - 16);
    const height = lines.length * leading + 12;
    this.ensure(height + 4);
    const top = this.y + size;
    this.page.drawRectangle({
      x: MARGIN,
      y: top - height + 2,
      width: this.contentWidth,
      height,
      borderColor: grey(),
      borderWidth: 0.75,
    });
    this.y -= 4;
    for (const line of lines) {
      this.page.drawText(line, { x: MARGIN + 8, y: this.y, size, font: this.regular });
      this.y -= leading;
    }
    this.y -= 10;
  }

  /** Footer on every page: `left` and "Sida i av n". Call once, at the end. */
  footers(left: string, second?: string): void {
    this.pages.forEach((p, i) => {
      const size = 8;
      p.drawLine({
        start: { x: MARGIN, y: MARGIN - 4 },
        end: { x: A4[0] - MARGIN, y: MARGIN - 4 },
        thickness: 0.5,
        color: grey(),
      });
      p.drawText(winAnsi(this.regular, left), { x: MARGIN, y: MARGIN - 16, size, font: this.regular });
      if (second) p.drawText(winAnsi(this.regular, second), { x: MARGIN, y: MARGIN - 27, size, font: this.regular });
      const pageText = `Sida ${i + 1} av ${this.pages.length}`;
      p.drawText(pageText, {
        x: A4[0] - MARGIN - this.regular.widthOfTextAtSize(pageText, size),
        y: MARGIN - 16,
        size,
        font: this.regular,
      });
    });
  }

  async save(): Promise<Buffer> {
    return Buffer.from(await this.doc.save());
  }
}
