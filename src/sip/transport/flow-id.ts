/**
 * Flow identifiers (RFC 5626 section 3: a flow is one transport connection
 * between two endpoints). Ids are unique across transports and across
 * process restarts (a random per-process prefix), so a flow id persisted by
 * the registrar never matches a new connection after a restart.
 */
import { randomBytes } from 'node:crypto';
import type { TransportProtocol } from './types.js';

const INSTANCE = randomBytes(4).toString('hex');
let sequence = 0;

/** A new flow id such as `tcp-1a2b3c4d-7`. */
export function nextFlowId(protocol: TransportProtocol): string {
  sequence += 1;
  return `${protocol}-${INSTANCE}-${sequence.toString(36)}`;
}
