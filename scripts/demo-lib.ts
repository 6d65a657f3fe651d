import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import WebSocket from 'ws';
import { loadOrCreateDevKeys } from '../src/auth/dev-keys';
import { signDevToken } from '../src/auth/tokens';
import { loadConfig } from '../src/config';

/** Shared bits of the README demos: dev tokens from DATA_DIR and typed urql clients. */
export const API = process.env.API_URL ?? 'http://127.0.0.1:4000/graphql';
export const API_B = process.env.API_URL_B ?? API;

export async function devToken(kind: 'staff' | 'citizen', who: string): Promise<string> {
  const config = loadConfig();
  const keys = await loadOrCreateDevKeys(config.dataDir);
  const principal = kind === 'staff' ? ({ kind, username: who } as const) : ({ kind, personnummer: who } as const);
  return signDevToken(keys, principal, { audience: config.auth.audience });
}

export const ws = WebSocket;
export const key = () => randomUUID();

export function unwrap<T>(r: { data?: T; error?: { message: string } }, what: string): T {
  if (r.error || !r.data) throw new Error(`${what} failed: ${r.error?.message ?? 'no data'}`);
  return r.data;
}

export async function uploadPdf(apiUrl: string, token: string, file: string): Promise<string> {
  const bytes = await fs.readFile(file);
  const url = new URL('/uploads', apiUrl);
  url.searchParams.set('filename', path.basename(file));
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' },
    body: bytes,
  });
  const body = (await res.json()) as { id: string };
  if (res.status !== 201) throw new Error(`upload failed: ${JSON.stringify(body)}`);
  return body.id;
}

export const log = (...args: unknown[]) => console.log(...args);
