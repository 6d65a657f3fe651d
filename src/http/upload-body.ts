import type { Request } from 'express';
import { tooLarge } from '../domain/attachment.service';

/** A body that says up front (Content-Length) it is over the limit: refused before anything is read or looked up. */
export function declaredTooLarge(req: Request, limit: number): boolean {
  const declared = Number(req.headers['content-length']);
  return Number.isFinite(declared) && declared > limit;
}

/** Reads the body up to the limit; past it, refuses and keeps nothing (the rest is discarded by drainRefused). */
export function readLimited(req: Request, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (declaredTooLarge(req, limit)) {
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!done) reject(err);
    });
  });
}

/** How much of a refused upload's body is still read, and for how long, before the connection is cut. */
const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
const DRAIN_MAX_MS = 30_000;

/**
 * After answering a refused upload, reads and discards the rest of its body.
 * A client (Node's fetch among them) keeps sending after an early answer:
 * hanging up on it mid-body makes it see EPIPE or a reset instead of our 413,
 * so the connection stays open until the body has arrived, and is cut only
 * past DRAIN_MAX_BYTES or DRAIN_MAX_MS (nobody gets to stream forever).
 */
export function drainRefused(req: Request): void {
  if (req.complete) return;
  let discarded = 0;
  const cut = () => req.socket.destroy();
  const timer = setTimeout(cut, DRAIN_MAX_MS).unref();
  const stop = () => clearTimeout(timer);
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DRAIN_MAX_BYTES) {
      stop();
      cut();
    }
  });
  req.once('end', stop);
  req.once('close', stop);
  req.resume();
}

/** The X-Filename header, percent-encoded UTF-8; a malformed encoding is kept as sent and sanitized like any name. */
export function headerFilename(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
