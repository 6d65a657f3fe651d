/** The server's limits (POST /uploads): one PDF per request, at most 16 MB, at most 5 per message. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;
export const MAX_FILES = 5;

export interface UploadedFile {
  id: string;
  filename: string;
  size: number;
  sha256: string;
  contentType: string;
}

/** A refused or failed upload, with the server's code (FILE_TOO_LARGE, UNSUPPORTED_FILE_TYPE, UNAUTHENTICATED, …) or NETWORK. */
export class UploadError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Streams one PDF to POST /uploads with the session cookie. XMLHttpRequest
 * rather than fetch because only it reports upload progress. A file over the
 * limit is refused here, before its bytes travel (the server refuses it too).
 */
export function uploadPdf(
  file: File,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<UploadedFile> {
  if (file.size > MAX_FILE_BYTES) return Promise.reject(new UploadError('FILE_TOO_LARGE', 'File is larger than 16 MB'));
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/uploads?filename=${encodeURIComponent(file.name)}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('content-type', 'application/pdf');
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      const body = xhr.response as {
        id?: string;
        errors?: { message: string; extensions?: { code?: string } }[];
      } | null;
      if (xhr.status === 201 && body?.id) {
        onProgress(1);
        resolve(body as UploadedFile);
        return;
      }
      const err = body?.errors?.[0];
      const code =
        err?.extensions?.code ??
        (xhr.status === 401 ? 'UNAUTHENTICATED' : xhr.status === 413 ? 'FILE_TOO_LARGE' : 'UPLOAD_FAILED');
      reject(new UploadError(code, err?.message ?? `Upload answered ${xhr.status}`));
    };
    xhr.onerror = () => reject(new UploadError('NETWORK', 'The upload did not reach the server'));
    xhr.onabort = () => reject(new UploadError('ABORTED', 'The upload was cancelled'));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(file);
  });
}
