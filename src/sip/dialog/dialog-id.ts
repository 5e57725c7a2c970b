/**
 * Dialog IDs (RFC 3261 section 12): Call-ID, local tag and remote tag, as
 * one string key for maps and database rows.
 */
import { SipRequest, SipResponse } from '../message/index.js';
import type { DialogState } from './dialog-state.js';

/** The separator: a line feed is never part of a Call-ID or a tag (RFC 3261 7.3.1, 25.1). */
const SEP = '\n';

/**
 * The key of a dialog: `Call-ID LF local-tag LF remote-tag`. Call-IDs and
 * tags compare case-sensitively (RFC 3261 20.8, 19.3), so the key is built
 * from them as they are. A missing tag is '' (RFC 2543 peers, 12.1.1).
 */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return callId + SEP + localTag + SEP + remoteTag;
}

/**
 * The dialog ID key (RFC 3261 section 12), seen from our side:
 * - of a {@link DialogState}: its Call-ID, local and remote tags;
 * - of a request WE RECEIVED (an in-dialog request at our UAS, 12.2.2): local
 *   tag = To tag, remote tag = From tag;
 * - of a response WE RECEIVED (to our request, 12.1.2 / 12.2.1.2): local tag
 *   = From tag, remote tag = To tag.
 *
 * A request without To tag is outside any dialog (12.2.2); its key simply
 * has an empty local tag, which no dialog of ours has.
 * Throws SipParseError when Call-ID, From or To cannot be parsed.
 */
export function dialogIdOf(x: DialogState | SipRequest | SipResponse): string {
  if (x instanceof SipRequest) {
    return dialogKey(x.callId, x.to.params.get('tag') ?? '', x.from.params.get('tag') ?? '');
  }
  if (x instanceof SipResponse) {
    return dialogKey(x.callId, x.from.params.get('tag') ?? '', x.to.params.get('tag') ?? '');
  }
  return dialogKey(x.callId, x.localTag, x.remoteTag);
}
