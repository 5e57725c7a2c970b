import type { FastifyInstance } from 'fastify';

/** The media types a WAV upload may carry (RFC 2361 `audio/vnd.wave`, and the names browsers and curl use). */
export const WAV_MEDIA_TYPES: readonly string[] = ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave'];

/** Largest WAV upload (a message or a greeting): 50 MB, nearly an hour of 8 kHz 16-bit mono. */
export const AUDIO_BODY_LIMIT = 50 * 1024 * 1024;

/** The media type of a Content-Type header without its parameters, lower case (RFC 9110 section 8.3.1). */
export function mediaType(header: string | undefined): string {
  if (header === undefined) return '';
  const semi = header.indexOf(';');
  return (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase();
}

export function isWavMediaType(header: string | undefined): boolean {
  return WAV_MEDIA_TYPES.includes(mediaType(header));
}

/**
 * A cheap first look at an upload: a RIFF container of form type WAVE. The
 * voicemail layer parses the chunks (and may still refuse them).
 */
export function looksLikeWav(body: Buffer): boolean {
  return body.length >= 12 && body.toString('latin1', 0, 4) === 'RIFF' && body.toString('latin1', 8, 12) === 'WAVE';
}

/** Let routes in `scope` receive the WAV media types as a Buffer (empty when there is no body). */
export function acceptWavBodies(scope: FastifyInstance): void {
  scope.addContentTypeParser([...WAV_MEDIA_TYPES], { parseAs: 'buffer' }, (_req, body, done) => {
    done(null, body);
  });
}
