import { looksLikePdf, MAX_FILE_BYTES, sanitizeFilename } from '../../src/domain/attachment.service';
import { contentDisposition } from '../../src/http/file-response';
import { makePdf } from '../testkit/files';

// The attachment rules AT1–AT3 on their own: PDF by its bytes, safe file names.

describe('AT1 a PDF is recognised by its bytes, not its name', () => {
  test('a real PDF made with pdf-lib is a PDF', async () => {
    expect(looksLikePdf(await makePdf())).toBe(true);
  });

  test('a little leading junk before %PDF- is allowed, as readers allow it', async () => {
    const pdf = await makePdf();
    expect(looksLikePdf(Buffer.concat([Buffer.from('\r\n\xef\xbb\xbf'), pdf]))).toBe(true);
  });

  test.each([
    ['empty', Buffer.alloc(0)],
    ['plain text', Buffer.from('Hej, detta är en text och ingen PDF.\n')],
    ['HTML', Buffer.from('<!doctype html><script>alert(1)</script>')],
    ['PNG', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')],
    ['a ZIP (docx)', Buffer.from('504b030414000600', 'hex')],
    ['"%PDF" without a version', Buffer.from('%PDF-x.y rest')],
    ['the marker only after the first KiB', Buffer.concat([Buffer.alloc(2000, 0x20), Buffer.from('%PDF-1.7\n')])],
  ])('%s is not a PDF', (_name, bytes) => {
    expect(looksLikePdf(bytes)).toBe(false);
  });

  test('the limit is 16 MB exactly', () => {
    expect(MAX_FILE_BYTES).toBe(16 * 1024 * 1024);
  });
});

describe('AT2 file names are sanitized', () => {
  test.each([
    ['Beslut 2024.pdf', 'Beslut 2024.pdf'],
    ['Överklagande – bilaga å ä ö.pdf', 'Överklagande _ bilaga å ä ö.pdf'],
    ['../../etc/passwd', 'passwd.pdf'],
    ['..\\..\\Windows\\system32\\cmd.exe', 'cmd.exe.pdf'],
    ['<script>alert(1)</script>.pdf', 'script_.pdf'],
    ['<script>.pdf', 'script_.pdf'],
    ['rapport.exe', 'rapport.exe.pdf'],
    ['.htaccess', 'htaccess.pdf'],
    ['', 'dokument.pdf'],
    ['....pdf', 'pdf.pdf'],
    ['. . .', 'dokument.pdf'],
    ['a\r\nContent-Type: text-html.pdf', 'a__Content-Type_ text-html.pdf'],
    ['faktura\u202efdp.exe', 'faktura_fdp.exe.pdf'],
    ['RAPPORT.PDF', 'RAPPORT.pdf'],
  ])('%j becomes %j', (input, expected) => {
    expect(sanitizeFilename(input)).toBe(expected);
  });

  test('a missing name becomes dokument.pdf', () => {
    expect(sanitizeFilename(undefined)).toBe('dokument.pdf');
    expect(sanitizeFilename(null)).toBe('dokument.pdf');
  });

  test('decomposed å/ä/ö (as macOS sends them) are kept as letters', () => {
    expect(sanitizeFilename('Beslut la\u0308s.pdf')).toBe('Beslut läs.pdf');
  });

  test('a very long name is shortened and still ends in .pdf', () => {
    const name = sanitizeFilename(`${'å'.repeat(500)}.pdf`);
    expect(name.endsWith('.pdf')).toBe(true);
    expect(name.length).toBeLessThanOrEqual(124);
  });

  test('the result only ever holds letters, digits, spaces, dots, dashes and underscores', () => {
    const nasty = [
      '"; rm -rf /',
      'a/b\\c:d*e?f"g<h>i|j',
      '\u0000nul',
      'emoji 😀.pdf',
      '%2e%2e%2fpasswd',
      "it's (1).pdf",
    ];
    for (const n of nasty) expect(sanitizeFilename(n)).toMatch(/^[\p{L}\p{N}][\p{L}\p{N} ._-]*\.pdf$/u);
  });
});

describe('AT3 Content-Disposition', () => {
  test('is an attachment with an ASCII fallback and the UTF-8 name (RFC 6266/5987)', () => {
    expect(contentDisposition('Beslut åäö.pdf')).toBe(
      `attachment; filename="Beslut aao.pdf"; filename*=UTF-8''Beslut%20%C3%A5%C3%A4%C3%B6.pdf`,
    );
  });

  test('a quote or backslash cannot break out of the quoted fallback', () => {
    const header = contentDisposition('a"b\\c.pdf');
    expect(header).toMatch(/^attachment; filename="a_b_c\.pdf"; filename\*=UTF-8''/);
  });

  test('every sanitized name gives a header of visible ASCII only', () => {
    for (const n of ['Överklagande – bilaga.pdf', 'emoji 😀.pdf', 'ﬁle.pdf', 'Ǆ.pdf']) {
      expect(contentDisposition(sanitizeFilename(n))).toMatch(/^[\x20-\x7e]+$/);
    }
  });
});
