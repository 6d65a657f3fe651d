import { EditorContent, Extension, useEditor, useEditorState, type Editor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { useEffect, useRef } from 'react';
import { Button, Separator, ToggleButton, Toolbar } from 'react-aria-components';
import { sv } from '../strings.sv';

type Align = 'left' | 'center' | 'right' | 'justify';
const ALIGNS: Align[] = ['center', 'right', 'justify'];

/**
 * Paragraph alignment as a class (align-center, align-right, align-justify),
 * the form the server's allowlist keeps: a style attribute would be removed
 * there and refused by the pages' Content-Security-Policy.
 */
const ParagraphAlign = Extension.create({
  name: 'paragraphAlign',
  addGlobalAttributes() {
    return [
      {
        types: ['paragraph'],
        attributes: {
          align: {
            default: null,
            parseHTML: (el: HTMLElement) => ALIGNS.find((a) => el.classList.contains(`align-${a}`)) ?? null,
            renderHTML: (attrs: { align?: Align | null }) =>
              attrs.align && attrs.align !== 'left' ? { class: `align-${attrs.align}` } : {},
          },
        },
      },
    ];
  },
});

export interface RichTextEditorProps {
  /** Id of the visible label that names the text area. */
  labelId: string;
  describedBy?: string;
  initialHtml: string;
  onChange: (html: string, text: string) => void;
  invalid?: boolean;
}

/**
 * The seed's editor: Paragraf, fetstil, kursiv, understruken, punktlista,
 * numrerad lista, justering (TipTap over ProseMirror; only what the server's
 * HTML allowlist keeps). Its toolbar is one tab stop (arrow keys move inside,
 * as a toolbar should); Tab leaves the text.
 */
export default function RichTextEditor({ labelId, describedBy, initialHtml, onChange, invalid }: RichTextEditorProps) {
  // ProseMirror reads its attributes on every update; these refs give it the current props.
  const aria = useRef({ invalid: !!invalid, describedBy });
  aria.current = { invalid: !!invalid, describedBy };
  const editor = useEditor({
    extensions: [
      StarterKit.configure({
        heading: false,
        code: false,
        codeBlock: false,
        blockquote: false,
        horizontalRule: false,
        strike: false,
        link: false,
        dropcursor: false,
        gapcursor: false,
      }),
      ParagraphAlign,
    ],
    // TipTap would add a <style> element that the Content-Security-Policy refuses; its few rules are in staff.css.
    injectCSS: false,
    content: initialHtml || '<p></p>',
    immediatelyRender: true,
    editorProps: {
      attributes: (): Record<string, string> => ({
        role: 'textbox',
        'aria-multiline': 'true',
        'aria-labelledby': labelId,
        'aria-invalid': aria.current.invalid ? 'true' : 'false',
        ...(aria.current.describedBy ? { 'aria-describedby': aria.current.describedBy } : {}),
        'data-testid': 'editor',
      }),
    },
    onUpdate: ({ editor }) => onChange(editor.isEmpty ? '' : editor.getHTML(), editor.getText()),
  });
  useEffect(() => {
    if (!editor || editor.isDestroyed) return;
    try {
      // An empty update makes the view read its attributes again.
      editor.view.dispatch(editor.state.tr.setMeta('addToHistory', false));
    } catch {
      // Not mounted yet: it reads the current values when it mounts.
    }
  }, [editor, invalid, describedBy]);
  if (!editor) return null;
  return (
    <div className="editor">
      <EditorToolbar editor={editor} />
      <EditorContent editor={editor} className="editor__content" />
    </div>
  );
}

function EditorToolbar({ editor }: { editor: Editor }) {
  const state = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      paragraph: e.isActive('paragraph') && !e.isActive('bulletList') && !e.isActive('orderedList'),
      bold: e.isActive('bold'),
      italic: e.isActive('italic'),
      underline: e.isActive('underline'),
      bulletList: e.isActive('bulletList'),
      orderedList: e.isActive('orderedList'),
      align: (e.getAttributes('paragraph').align as Align | null) ?? 'left',
      canUndo: e.can().undo(),
      canRedo: e.can().redo(),
    }),
  });
  const run = (f: (c: ReturnType<Editor['chain']>) => ReturnType<Editor['chain']>) => f(editor.chain().focus()).run();
  const tool = (key: keyof typeof sv.editor, selected: boolean, action: () => void, glyph: string) => (
    <ToggleButton className="editor__tool" aria-label={sv.editor[key]} isSelected={selected} onChange={action}>
      <span aria-hidden="true">{glyph}</span>
    </ToggleButton>
  );
  return (
    <Toolbar className="editor__toolbar" aria-label={sv.editor.toolbar}>
      <Button
        className="editor__tool"
        aria-label={sv.editor.undo}
        isDisabled={!state.canUndo}
        onPress={() => run((c) => c.undo())}
      >
        <span aria-hidden="true">↶</span>
      </Button>
      <Button
        className="editor__tool"
        aria-label={sv.editor.redo}
        isDisabled={!state.canRedo}
        onPress={() => run((c) => c.redo())}
      >
        <span aria-hidden="true">↷</span>
      </Button>
      <Separator orientation="vertical" className="editor__sep" />
      {tool('paragraph', state.paragraph, () => run((c) => c.setParagraph().liftListItem('listItem')), '¶')}
      <Separator orientation="vertical" className="editor__sep" />
      {tool('bold', state.bold, () => run((c) => c.toggleBold()), 'B')}
      {tool('italic', state.italic, () => run((c) => c.toggleItalic()), 'I')}
      {tool('underline', state.underline, () => run((c) => c.toggleUnderline()), 'U')}
      <Separator orientation="vertical" className="editor__sep" />
      {tool('bulletList', state.bulletList, () => run((c) => c.toggleBulletList()), '•')}
      {tool('orderedList', state.orderedList, () => run((c) => c.toggleOrderedList()), '1.')}
      <Separator orientation="vertical" className="editor__sep" />
      {tool(
        'alignLeft',
        state.align === 'left',
        () => run((c) => c.updateAttributes('paragraph', { align: null })),
        '⇤',
      )}
      {tool(
        'alignCenter',
        state.align === 'center',
        () => run((c) => c.updateAttributes('paragraph', { align: 'center' })),
        '↔',
      )}
      {tool(
        'alignRight',
        state.align === 'right',
        () => run((c) => c.updateAttributes('paragraph', { align: 'right' })),
        '⇥',
      )}
      {tool(
        'alignJustify',
        state.align === 'justify',
        () => run((c) => c.updateAttributes('paragraph', { align: 'justify' })),
        '☰',
      )}
    </Toolbar>
  );
}
