import { SendMessageDocument } from '../../clients/staff/src';
import { DEMO } from '../../src/db/demo-data';
import { key } from '../testkit/messaging';
import { demoWorld, type DemoWorld } from '../testkit/world';

let w: DemoWorld;
let staff: Record<string, string>;

beforeAll(async () => {
  w = await demoWorld();
  staff = w.staffId;
});
afterAll(() => w.close());

const asStaff = (username: string) => w.staff(username);

describe('HTML sanitizing of message bodies', () => {
  const cases: [string, string, string][] = [
    ['scripts are removed with their content', '<p>Hej<script>alert(document.cookie)</script> då</p>', '<p>Hej då</p>'],
    ['event handlers are removed', '<p onclick="steal()" onmouseover="steal()">Klicka</p>', '<p>Klicka</p>'],
    [
      'style attributes (hidden text) are removed',
      '<p style="display:none">Dolt</p><p style="color:white">Vitt</p>',
      '<p>Dolt</p><p>Vitt</p>',
    ],
    ['style elements are removed with their content', '<style>p{display:none}</style><p>Syns</p>', '<p>Syns</p>'],
    [
      'remote images (tracking pixels) are removed',
      '<p>Bild<img src="http://tracker.example/p.gif" width="1"></p>',
      '<p>Bild</p>',
    ],
    [
      'javascript: links lose their target',
      '<p><a href="javascript:alert(1)">Klick</a></p>',
      '<p><a rel="noopener noreferrer nofollow" target="_blank">Klick</a></p>',
    ],
    [
      'frames and forms are removed',
      '<p>Text</p><iframe src="https://evil.example"></iframe><form action="https://evil.example"><input name="pnr"></form>',
      '<p>Text</p>',
    ],
    [
      'allowed formatting stays',
      '<h2>Rubrik</h2><p><strong>Fet</strong>, <em>kursiv</em> och <u>understruken</u><br>rad två</p><ul><li>ett</li><li>två</li></ul><blockquote>Citat</blockquote>',
      '<h2>Rubrik</h2><p><strong>Fet</strong>, <em>kursiv</em> och <u>understruken</u><br />rad två</p><ul><li>ett</li><li>två</li></ul><blockquote>Citat</blockquote>',
    ],
    [
      'https links stay and open safely',
      '<p><a href="https://www.soderkoping.se/" target="_top">Kommunen</a></p>',
      '<p><a href="https://www.soderkoping.se/" target="_blank" rel="noopener noreferrer nofollow">Kommunen</a></p>',
    ],
  ];

  test.each(cases)('%s', async (_name, body, expected) => {
    const marita = await asStaff(DEMO.caseworker);
    const r = await marita.mutate(SendMessageDocument, {
      input: { idempotencyKey: key(), to: { staffIds: [staff[DEMO.secondCaseworker]] }, subject: 'HTML', body },
    });
    expect(r.codes).toEqual([]);
    expect(r.data!.sendMessage[0].bodyHtml).toBe(expected);
  });

  test('a body that is empty once sanitized is BAD_USER_INPUT on body, and nothing is sent', async () => {
    const marita = await asStaff(DEMO.caseworker);
    const r = await marita.mutate(SendMessageDocument, {
      input: {
        idempotencyKey: key(),
        to: { staffIds: [staff[DEMO.secondCaseworker]] },
        subject: 'Tomt',
        body: '<script>alert(1)</script><img src="http://x/y.png">',
      },
    });
    expect(r.codes).toEqual(['BAD_USER_INPUT']);
    expect(r.errors[0].extensions!.field).toBe('body');
  });
});
