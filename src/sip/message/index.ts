/**
 * The SIP message layer (RFC 3261 sections 7, 18.3, 19, 20, 25): parser,
 * serializer, header access, URIs, name-addr, Via, stream framing.
 *
 * `parseMessage` throws only {@link SipParseError}; see parser.ts for the
 * headers it validates eagerly (RFC 4475) and those parsed lazily on access.
 */
export { SipParseError, type SipParseErrorCode } from './errors.js';
export { SipUri, TelUri, AbsoluteUri, type Uri, parseUri, uriUser } from './uri.js';
export { type NameAddr, parseNameAddr, formatNameAddr } from './name-addr.js';
export { type Via, parseVia, formatVia } from './via.js';
export { type Params, formatHeaderParams } from './params.js';
export { quote, unquote } from './quoted.js';
export { type CSeq, type Contact, splitList } from './headers.js';
export { type HeaderField, type HeaderInit } from './header-field.js';
export { COMPACT_FORMS, CANONICAL_NAMES, headerKey, isListHeader } from './header-names.js';
export { SipMessage, SipRequest, SipResponse } from './message.js';
export { parseMessage, type ParseOptions, DEFAULT_MAX_MESSAGE_SIZE } from './parser.js';
export { serializeMessage, startLine } from './serializer.js';
export { createResponse } from './response.js';
export { reasonPhrase } from './reasons.js';
export { randomToken } from './random.js';
export { ownString } from './own-string.js';
export { StreamFramer, type FramerEvent } from './stream-framer.js';
