// Extracts the text of a PDF read from stdin and prints it as JSON. pdfjs-dist 4 is ESM-only, so
// jest (CommonJS in a vm) runs this in a child process: see pdfText() in files.ts.
import path from 'node:path';
import { createRequire } from 'node:module';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

const require = createRequire(import.meta.url);
const standardFontDataUrl =
  path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'standard_fonts') + path.sep;
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const data = new Uint8Array(Buffer.concat(chunks));
const doc = await getDocument({ data, standardFontDataUrl, disableFontFace: true, verbosity: 0 }).promise;
const pages = [];
for (let i = 1; i <= doc.numPages; i++) {
  const content = await (await doc.getPage(i)).getTextContent();
  pages.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join(''));
}
const { info } = await doc.getMetadata();
process.stdout.write(JSON.stringify({ numPages: doc.numPages, pages, title: info?.Title ?? null }));
