import { CaseDocumentTemplate } from '../entities/case-document-pdf';
import { A4, MARGIN, PdfWriter } from './layout';

/**
 * What a case-document PDF prints. The recipient's address is given only by
 * the caller, who gives none for a person with a protected identity or a
 * confidentiality marking: no template can print what it is not given.
 */
export interface CaseDocumentPdfInput {
  template: CaseDocumentTemplate;
  municipality: string;
  unit: string;
  /** The document's date (YYYY-MM-DD). */
  date: string;
  /** The document's heading (rubrik). */
  title: string;
  /** The document's kind, e.g. "Brev", "Beslut". */
  typeLabel: string;
  /** The reference: the case and whom to contact. */
  reference: {
    caseTitle: string;
    caseOpenedOn: string;
    /** Short, stable case reference the reader can quote. */
    caseRef: string;
    contactName: string;
    contactTitle?: string | null;
  };
  recipient: {
    name: string;
    /** Postal address lines; must be null for a protected identity (skyddad folkbokföring) or a confidentiality marking. */
    addressLines: string[] | null;
  };
  text: string;
  /** Who wrote the document (and signs it). */
  author: { name: string; title?: string | null };
  /** For documents of an assignment (uppdrag): what the implementation plan is about. */
  assignment?: {
    description: string;
    interventionName?: string | null;
    startDate: string;
    endDate?: string | null;
    executorName: string;
    executorUnit: string;
  } | null;
  /** When the PDF was made and by whom (username, the seed's "Signatur"). */
  createdAt: Date;
  createdBy: string;
}

/** The template's name as printed in the letterhead, and as the API shows it. */
export const templateLabel: Record<CaseDocumentTemplate, string> = {
  [CaseDocumentTemplate.BREV]: 'Brev',
  [CaseDocumentTemplate.KALLELSE]: 'Kallelse',
  [CaseDocumentTemplate.BESLUT]: 'Beslut',
  [CaseDocumentTemplate.UTREDNING]: 'Utredning',
  [CaseDocumentTemplate.GENOMFORANDEPLAN]: 'Genomförandeplan',
};

const RIGHT_COLUMN = 330;

/** A timestamp as Swedish local time, "YYYY-MM-DD HH:MM". */
function swedishTime(d: Date): string {
  const parts = new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Europe/Stockholm',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

function signature(w: PdfWriter, input: CaseDocumentPdfInput, lead: string): void {
  w.gap(10);
  w.ensure(60);
  w.text(lead);
  w.gap(14);
  w.text(input.author.name, { font: 'bold' });
  if (input.author.title) w.text(input.author.title, { size: 10 });
  w.text(input.unit, { size: 10 });
}

/** The part of each template between the recipient block and the text, and after the text. */
const layouts: Record<
  CaseDocumentTemplate,
  { titleBlock(w: PdfWriter, i: CaseDocumentPdfInput): void; closing(w: PdfWriter, i: CaseDocumentPdfInput): void }
> = {
  [CaseDocumentTemplate.BREV]: {
    titleBlock(w, i) {
      w.text(i.title, { font: 'bold', size: 16, leading: 20 });
      w.gap(8);
    },
    closing(w, i) {
      signature(w, i, 'Med vänliga hälsningar');
    },
  },
  [CaseDocumentTemplate.KALLELSE]: {
    titleBlock(w, i) {
      w.text('KALLELSE TILL MÖTE', { font: 'bold', size: 10, leading: 19 });
      w.text(i.title, { font: 'bold', size: 16, leading: 20 });
      w.gap(4);
      w.field('Till', i.recipient.name);
      w.field('Kontaktperson', [i.reference.contactName, i.reference.contactTitle].filter(Boolean).join(', '));
      w.gap(10);
    },
    closing(w, i) {
      w.gap(8);
      w.box(
        'Om tiden inte passar: kontakta oss så snart du kan, så bokar vi en ny tid. Ta med legitimation till mötet.',
      );
      signature(w, i, 'Välkommen!');
    },
  },
  [CaseDocumentTemplate.BESLUT]: {
    titleBlock(w, i) {
      w.text(i.title, { font: 'bold', size: 16, leading: 20 });
      w.gap(4);
      w.field('Beslutsdatum', i.date);
      w.field('Beslutsfattare', [i.author.name, i.author.title].filter(Boolean).join(', '));
      w.field('Beslutet gäller', i.recipient.name);
      w.gap(6);
      w.rule();
      w.gap(4);
    },
    closing(w, i) {
      signature(w, i, 'Beslutet är fattat av');
      w.gap(10);
      w.text('Hur du överklagar', { font: 'bold' });
      w.text(
        'Om du inte är nöjd med beslutet kan du överklaga det hos förvaltningsrätten. Skicka överklagandet ' +
          'till oss inom tre veckor från den dag du fick del av beslutet. Skriv vilket beslut du överklagar ' +
          'och hur du vill att det ska ändras. Kontakta din handläggare om du behöver hjälp.',
        { size: 10 },
      );
    },
  },
  [CaseDocumentTemplate.UTREDNING]: {
    titleBlock(w, i) {
      w.text(i.title, { font: 'bold', size: 16, leading: 20 });
      w.gap(4);
      w.field('Utredningen gäller', i.recipient.name);
      w.field('Ärende', `${i.reference.caseTitle} (öppnat ${i.reference.caseOpenedOn})`);
      w.field('Handläggare', [i.author.name, i.author.title].filter(Boolean).join(', '));
      w.gap(6);
      w.rule();
      w.gap(4);
    },
    closing(w, i) {
      signature(w, i, `Utredningen är upprättad ${i.date} av`);
    },
  },
  [CaseDocumentTemplate.GENOMFORANDEPLAN]: {
    titleBlock(w, i) {
      w.text(i.title, { font: 'bold', size: 16, leading: 20 });
      w.gap(4);
      w.field('Planen gäller', i.recipient.name);
      if (i.assignment) {
        w.field('Uppdrag', i.assignment.description);
        if (i.assignment.interventionName) w.field('Insats', i.assignment.interventionName);
        w.field('Period', `${i.assignment.startDate} – ${i.assignment.endDate ?? 'tills vidare'}`);
        w.field('Utförare', `${i.assignment.executorName}, ${i.assignment.executorUnit}`);
      } else {
        w.field('Ärende', i.reference.caseTitle);
      }
      w.gap(6);
      w.rule();
      w.gap(4);
    },
    closing(w, i) {
      signature(w, i, `Planen är upprättad ${i.date} av`);
    },
  },
};

/**
 * Renders a locked case document with a print template: the letterhead
 * (municipality, unit, the template's name, date and reference), the
 * recipient block, the template's title block, the text, its closing, and a
 * footer with who made the PDF and the page number on every page.
 */
export async function renderCaseDocumentPdf(input: CaseDocumentPdfInput): Promise<Buffer> {
  const label = templateLabel[input.template];
  const right = A4[0] - MARGIN;
  const w = await PdfWriter.create((pw) => {
    // Running head on continuation pages: who, what, which.
    pw.at(input.municipality, MARGIN, pw.y, { font: 'bold', size: 9 });
    pw.atRight(`${label.toUpperCase()} – ${input.title}`.slice(0, 90), right, pw.y, { size: 9 });
    pw.y -= 24;
  });
  const clean = (s: string) => w.clean(s);
  w.doc.setTitle(clean(input.title));
  w.doc.setSubject(clean(`${label}: ${input.title}`));
  w.doc.setAuthor(clean(`${input.author.name}, ${input.unit}`));
  w.doc.setKeywords([clean(label)]);
  w.doc.setCreator('IFO Meddelande');
  w.doc.setProducer('pdf-lib');
  w.doc.setCreationDate(input.createdAt);
  w.doc.setModificationDate(input.createdAt);

  // Letterhead: municipality and unit on the left; the template, date and reference on the right.
  const top = w.y;
  w.at(input.municipality, MARGIN, top, { font: 'bold', size: 13 });
  w.at(input.unit, MARGIN, top - 16, { size: 10 });
  w.at(label.toUpperCase(), RIGHT_COLUMN, top, { font: 'bold', size: 13 });
  const ref: [string, string][] = [
    ['Datum', input.date],
    ['Ärende', input.reference.caseTitle],
    ['Referens', input.reference.caseRef],
    ['Vår referens', input.reference.contactName],
  ];
  ref.forEach(([k, v], n) => {
    const y = top - 16 - n * 13;
    w.at(`${k}:`, RIGHT_COLUMN, y, { size: 9 });
    w.at(v.length > 38 ? `${v.slice(0, 37)}…` : v, RIGHT_COLUMN + 70, y, { size: 9 });
  });
  w.y = top - 16 - ref.length * 13 - 30;

  // Recipient block, where a window envelope shows it: the name always, the address only when given.
  w.text(input.recipient.name, { size: 11, width: 240 });
  for (const line of input.recipient.addressLines ?? []) w.text(line, { size: 11, width: 240 });
  w.gap(30);

  const layout = layouts[input.template];
  layout.titleBlock(w, input);
  w.text(input.text, { size: 11, leading: 15 });
  layout.closing(w, input);

  w.footers(
    `${input.municipality} · ${input.unit}`,
    `${label} skapad ${swedishTime(input.createdAt)} av ${input.createdBy}`,
  );
  return w.save();
}
