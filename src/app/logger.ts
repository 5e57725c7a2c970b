import { pino, type Logger } from 'pino';

/**
 * The server's logger: pino JSON lines on stderr, so that stdout carries only
 * the `openum listening ...` lines people and scripts read.
 */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'openum' } }, pino.destination({ fd: 2, sync: false }));
}
