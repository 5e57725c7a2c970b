/**
 * The state of a dialog (RFC 3261 section 12): a compact plain object,
 * JSON-serializable, that can be stored as a row and restored after a
 * restart.
 */
import { parseNameAddr } from '../message/index.js';
import { parseSipUri, routeUri } from './address.js';
import { DialogError } from './errors.js';
import { isHeaderSafe, isWordSafe } from './header-safe.js';

/** Largest CSeq number (RFC 3261 8.1.1.5: 32-bit unsigned). */
export const MAX_CSEQ = 0xffffffff;

/**
 * The dialog state of RFC 3261 section 12: dialog ID (Call-ID, local tag,
 * remote tag), local and remote sequence numbers, local and remote URIs,
 * remote target, route set and secure flag.
 *
 * Only strings, numbers, booleans and one array of strings: `JSON.stringify`
 * and `JSON.parse` (then {@link restoreDialogState}) round-trip it.
 */
export interface DialogState {
  /** Call-ID of every request of the dialog. */
  callId: string;
  /** Our tag (From tag of our requests). */
  localTag: string;
  /** The peer's tag; '' when it sent none (an RFC 2543 peer, 12.1.1 / 12.1.2). */
  remoteTag: string;
  /** Our address as name-addr text without tag: the From of our requests. */
  localUri: string;
  /** The peer's address as name-addr text without tag: the To of our requests. */
  remoteUri: string;
  /** CSeq number of the last request we sent in the dialog; 0 when none yet (UAS, 12.1.1). */
  localSeq: number;
  /** CSeq number of the last request the peer sent; -1 = empty (UAC, 12.1.2). */
  remoteSeq: number;
  /** The peer's Contact URI: the Request-URI of our requests (or last Route when strict routing). */
  remoteTarget: string;
  /** Record-Route values (name-addr text), in the order our requests carry them as Route. */
  routeSet: string[];
  /** True when the dialog was set up with a SIPS Request-URI over TLS (12.1.1, 12.1.2). */
  secure: boolean;
}

/**
 * A dialog state that cannot be changed through: a snapshot handed out by an
 * owner that keeps the state in its own form (a packed subscription), and
 * changes it only through its own methods. Writing to a field, or to the
 * route set, is a type error, so a change cannot be silently lost on a copy.
 */
export type DialogStateView = {
  readonly [K in keyof DialogState]: DialogState[K] extends string[] ? readonly string[] : DialogState[K];
};

/**
 * Makes a DialogState. Every state is made here, so that all share one
 * property order (one V8 hidden class for 100,000 dialogs). The values are
 * written into requests as they are: they must come from parsed messages
 * or have passed {@link restoreDialogState}.
 */
export function makeDialogState(
  callId: string,
  localTag: string,
  remoteTag: string,
  localUri: string,
  remoteUri: string,
  localSeq: number,
  remoteSeq: number,
  remoteTarget: string,
  routeSet: string[],
  secure: boolean,
): DialogState {
  return { callId, localTag, remoteTag, localUri, remoteUri, localSeq, remoteSeq, remoteTarget, routeSet, secure };
}

/** A string field; `word`: no white space (Call-ID, tags). */
function str(o: Record<string, unknown>, key: string, nonEmpty: boolean, word: boolean): string {
  const v = o[key];
  if (
    typeof v !== 'string' ||
    (nonEmpty && v.length === 0) ||
    !isHeaderSafe(v) ||
    (word && v.length > 0 && !isWordSafe(v))
  ) {
    throw new DialogError(
      'invalid-state',
      `dialog state: ${key} must be a${nonEmpty ? ' non-empty' : ''} header-safe string`,
    );
  }
  return v;
}

function seq(o: Record<string, unknown>, key: string, min: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_CSEQ) {
    throw new DialogError('invalid-state', `dialog state: ${key} must be an integer ${min}..${MAX_CSEQ}`);
  }
  return v;
}

function checked<T>(key: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new DialogError('invalid-state', `dialog state: bad ${key}: ${(e as Error).message}`);
  }
}

/**
 * Validates a persisted dialog row (for instance `JSON.parse` of a stored
 * {@link DialogState}) and returns a fresh DialogState holding only the
 * dialog fields. URIs and route values are parsed once to prove they can be
 * used. Throws DialogError('invalid-state').
 */
export function restoreDialogState(value: unknown): DialogState {
  if (typeof value !== 'object' || value === null)
    throw new DialogError('invalid-state', 'dialog state must be an object');
  const o = value as Record<string, unknown>;
  const routes = o['routeSet'];
  if (!Array.isArray(routes)) throw new DialogError('invalid-state', 'dialog state: routeSet must be an array');
  const routeSet: string[] = [];
  for (const r of routes as unknown[]) {
    if (typeof r !== 'string' || !isHeaderSafe(r))
      throw new DialogError('invalid-state', 'dialog state: routeSet holds a bad value');
    checked('routeSet', () => routeUri(r));
    routeSet.push(r);
  }
  const secure = o['secure'];
  if (typeof secure !== 'boolean') throw new DialogError('invalid-state', 'dialog state: secure must be a boolean');
  const localUri = str(o, 'localUri', true, false);
  const remoteUri = str(o, 'remoteUri', true, false);
  const remoteTarget = str(o, 'remoteTarget', true, true);
  checked('localUri', () => parseNameAddr(localUri));
  checked('remoteUri', () => parseNameAddr(remoteUri));
  checked('remoteTarget', () => parseSipUri(remoteTarget, 'remote target'));
  return makeDialogState(
    str(o, 'callId', true, true),
    str(o, 'localTag', false, true),
    str(o, 'remoteTag', false, true),
    localUri,
    remoteUri,
    seq(o, 'localSeq', 0),
    seq(o, 'remoteSeq', -1),
    remoteTarget,
    routeSet,
    secure,
  );
}
