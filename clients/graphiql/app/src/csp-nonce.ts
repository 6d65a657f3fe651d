// The pages' Content-Security-Policy allows styles only from this server and
// from <style> elements carrying the response's nonce (the same policy as the
// staff and citizen UIs, src/http/web-ui.ts). Monaco, GraphiQL's editor, adds
// its own <style> elements and has no nonce option: stamp the nonce from the
// page's csp-nonce meta on each one as it is created, before it is inserted.
// Imported first, before any module that creates one.
// Browsers hide a nonce attribute once the page is parsed; the property keeps it.
const meta = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]');
const nonce = meta?.nonce || meta?.getAttribute('nonce') || undefined;

if (nonce) {
  const create = document.createElement.bind(document) as (
    tag: string,
    options?: ElementCreationOptions,
  ) => HTMLElement;
  document.createElement = ((tag: string, options?: ElementCreationOptions) => {
    const element = create(tag, options);
    if (tag.toLowerCase() === 'style') element.setAttribute('nonce', nonce);
    return element;
  }) as typeof document.createElement;
}

export {};
