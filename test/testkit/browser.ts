/**
 * A browser's cookie handling over plain HTTP, for the sign-in tests: keeps
 * the cookies each host sets (by name and path), sends them back, follows no
 * redirect by itself, and sends the Origin / Sec-Fetch-Site a browser would
 * for a request from the given page origin.
 */
export interface SetCookie {
  name: string;
  value: string;
  /** Attribute names in lower case (httponly, secure, samesite, path, max-age, expires) with their values ('' when bare). */
  attributes: Record<string, string>;
}

export function parseSetCookie(header: string): SetCookie {
  const [pair, ...attrs] = header.split(';');
  const eq = pair.indexOf('=');
  const attributes: Record<string, string> = {};
  for (const a of attrs) {
    const i = a.indexOf('=');
    const key = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
    attributes[key] = i < 0 ? '' : a.slice(i + 1).trim();
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes };
}

export interface BrowserResponse {
  status: number;
  location: string | null;
  headers: Headers;
  setCookies: SetCookie[];
  text: string;
  bytes: Buffer;
  json(): any;
}

export class CookieBrowser {
  /** host → cookie name → { value, path } */
  private readonly jar = new Map<string, Map<string, { value: string; path: string }>>();

  cookie(url: string, name: string): string | undefined {
    return this.jar.get(new URL(url).host)?.get(name)?.value;
  }

  setCookie(url: string, name: string, value: string, path = '/'): void {
    const host = new URL(url).host;
    if (!this.jar.has(host)) this.jar.set(host, new Map());
    this.jar.get(host)!.set(name, { value, path });
  }

  /**
   * One request. `from` is the origin of the page making it (a browser sends
   * it as Origin on POST, and Sec-Fetch-Site accordingly); `null` for a
   * request a browser makes on its own (typed address, redirect followed).
   */
  async fetch(
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array; from?: string | null } = {},
  ): Promise<BrowserResponse> {
    const target = new URL(url);
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    const cookies = [...(this.jar.get(target.host) ?? new Map()).entries()].filter(([, c]) =>
      target.pathname.startsWith(c.path),
    );
    if (cookies.length && !headers.cookie) headers.cookie = cookies.map(([n, c]) => `${n}=${c.value}`).join('; ');
    if (init.from) {
      if ((init.method ?? 'GET') !== 'GET') headers.origin ??= init.from;
      headers['sec-fetch-site'] ??= new URL(init.from).origin === target.origin ? 'same-origin' : 'cross-site';
    }
    const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body, redirect: 'manual' });
    const setCookies = res.headers.getSetCookie().map(parseSetCookie);
    for (const c of setCookies) {
      const host = target.host;
      if (!this.jar.has(host)) this.jar.set(host, new Map());
      const expired =
        c.attributes['max-age'] === '0' ||
        (c.attributes.expires && new Date(c.attributes.expires).getTime() <= Date.now());
      if (expired || c.value === '') this.jar.get(host)!.delete(c.name);
      else this.jar.get(host)!.set(c.name, { value: c.value, path: c.attributes.path || '/' });
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = bytes.toString('utf8');
    return {
      status: res.status,
      location: res.headers.get('location'),
      headers: res.headers,
      setCookies,
      text,
      bytes,
      json: () => JSON.parse(text),
    };
  }

  /** Follows redirects (as a browser does after a 302/303: GET, no Origin) until a non-redirect answer or a URL outside `stopAt`. */
  async follow(
    first: BrowserResponse,
    base: string,
    opts: { stopAt?: (url: URL) => boolean; max?: number } = {},
  ): Promise<{ res: BrowserResponse; url: string }> {
    let res = first;
    let url = base;
    for (let i = 0; i < (opts.max ?? 10) && res.status >= 300 && res.status < 400 && res.location; i++) {
      url = new URL(res.location, url).toString();
      if (opts.stopAt?.(new URL(url))) return { res, url };
      res = await this.fetch(url);
    }
    return { res, url };
  }
}

/** A form body as a browser sends it. */
export const formBody = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
