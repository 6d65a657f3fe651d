import { htmlToText, sanitizeBody } from '../../src/domain/html';

describe('message body allowlist', () => {
  test('HT1 paragraph alignment passes as one of three fixed class names; any other class or a style does not', () => {
    expect(
      sanitizeBody(
        '<p class="align-center">Mitten</p><p class="align-right">Höger</p><p class="align-justify">Marginal</p>',
      ),
    ).toBe('<p class="align-center">Mitten</p><p class="align-right">Höger</p><p class="align-justify">Marginal</p>');
    expect(
      sanitizeBody(
        '<p class="align-center hidden" style="display:none">Syns</p><p class="sr-only">Också</p><strong class="align-center">Fet</strong>',
      ),
    ).toBe('<p class="align-center">Syns</p><p>Också</p><strong>Fet</strong>');
    expect(sanitizeBody('<p style="text-align:center">Stil</p>')).toBe('<p>Stil</p>');
  });

  test('HT2 the plain text of an aligned paragraph is its text', () => {
    expect(htmlToText(sanitizeBody('<p class="align-center">Hej</p><p>Då</p>'))).toBe('Hej\nDå');
  });
});
