import { open, type FileHandle } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseByteRange, type ByteRange } from './byte-range.js';
import { jsonError } from './json-error.js';

/** Opened for reading, or undefined when the file is gone (the route answers 404). */
async function openFile(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/**
 * The range to serve: the `Range` header is ignored when `If-Range` names
 * another version (RFC 9110 section 13.1.5: a strong entity-tag compared
 * strongly; we send no Last-Modified, so a date never matches).
 */
function rangeFor(req: FastifyRequest, size: number, etag: string): ByteRange {
  const ifRange = req.headers['if-range'];
  if (ifRange !== undefined && String(ifRange).trim() !== etag) return { kind: 'full' };
  return parseByteRange(req.headers.range, size);
}

/**
 * Answer GET or HEAD with a WAV file: 200, or 206 for one byte range, or 416
 * (RFC 9110 sections 14.2-14.4 and 15.5.17); `Accept-Ranges: bytes`, a strong
 * ETag from size and mtime. The body streams from the file; HEAD reads
 * nothing. Resolves false (nothing sent) when the file does not exist; the
 * caller then answers 404, else returns the reply.
 */
export async function sendWavFile(
  req: FastifyRequest,
  reply: FastifyReply,
  path: string,
  filename: string,
): Promise<boolean> {
  const file = await openFile(path);
  if (!file) return false;
  let streaming = false;
  try {
    const stat = await file.stat();
    if (!stat.isFile()) return false;
    const size = stat.size;
    const etag = `"${size.toString(36)}-${Math.trunc(stat.mtimeMs).toString(36)}"`;
    const range = rangeFor(req, size, etag);
    void reply.header('Accept-Ranges', 'bytes').header('ETag', etag).header('Cache-Control', 'private');
    if (range.kind === 'unsatisfiable') {
      void reply
        .code(416)
        .header('Content-Range', `bytes */${size}`)
        .send(jsonError('range_not_satisfiable', `the audio has ${size} bytes`));
      return true;
    }
    const start = range.kind === 'partial' ? range.start : 0;
    const end = range.kind === 'partial' ? range.end : size - 1;
    if (range.kind === 'partial') void reply.code(206).header('Content-Range', `bytes ${start}-${end}/${size}`);
    void reply
      .header('Content-Type', 'audio/wav')
      .header('Content-Disposition', `inline; filename="${filename}"`)
      .header('Content-Length', String(end - start + 1));
    if (req.method === 'HEAD' || end < start) {
      void reply.send();
      return true;
    }
    streaming = true;
    void reply.send(file.createReadStream({ start, end }));
    return true;
  } finally {
    // The stream closes the file when it ends or is destroyed (autoClose).
    if (!streaming) await file.close();
  }
}
