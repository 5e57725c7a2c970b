/**
 * SIP messages (RFC 3261 section 7): header access by name, and typed
 * views of the common headers parsed lazily and cached on the instance.
 */
import { isTokenRange } from './chars.js';
import { SipParseError } from './errors.js';
import { type HeaderField, type HeaderInit, makeField, toFields } from './header-field.js';
import { headerKeyOf, isListHeader } from './header-names.js';
import {
  type CSeq,
  type Contact,
  parseCSeq,
  parseContactValue,
  parseExpires,
  parseMaxForwards,
  splitList,
  validateCallId,
} from './headers.js';
import { type NameAddr, parseNameAddr } from './name-addr.js';
import { TypedViews, collect, sameFields } from './typed-views.js';
import type { Uri } from './uri.js';
import { type Via, parseViaRange } from './via.js';

const EMPTY = Buffer.alloc(0);
const K_VIA = headerKeyOf('via').key;
const K_FROM = headerKeyOf('from').key;
const K_TO = headerKeyOf('to').key;
const K_CALL_ID = headerKeyOf('call-id').key;
const K_CSEQ = headerKeyOf('cseq').key;
const K_CONTACT = headerKeyOf('contact').key;
const K_MAX_FORWARDS = headerKeyOf('max-forwards').key;
const K_EXPIRES = headerKeyOf('expires').key;

function missing(name: string): SipParseError {
  return new SipParseError('missing-header', `no ${name} header`);
}

/**
 * A request or response. `headers` keeps the fields in order as received;
 * change them through the methods (direct edits are noticed too: a typed
 * view is reused only while its source field objects and values are
 * unchanged). Typed views throw SipParseError and are read-only snapshots:
 * to change one, format it and use setHeader.
 */
export abstract class SipMessage {
  /** the header fields in order (RFC 3261 7.3) */
  headers: HeaderField[];
  /** the message body (RFC 3261 7.4); Content-Length is derived from it when serializing */
  body: Buffer;
  /** @internal */ _t: TypedViews;

  constructor(headers: HeaderInit | undefined, body: Buffer | undefined) {
    this.headers = toFields(headers);
    this.body = body ?? EMPTY;
    this._t = new TypedViews();
  }

  private find(key: string): HeaderField | undefined {
    const hs = this.headers;
    for (let i = 0; i < hs.length; i++) {
      const h = hs[i] as HeaderField;
      if (h.key === key) return h;
    }
    return undefined;
  }

  /** First value of the header; the name is case-insensitive and may be a compact form. */
  getHeader(name: string): string | undefined {
    return this.find(headerKeyOf(name).key)?.value;
  }

  /** Every field value of the header, in order. */
  getHeaders(name: string): string[] {
    const key = headerKeyOf(name).key;
    const out: string[] = [];
    for (const h of this.headers) if (h.key === key) out.push(h.value);
    return out;
  }

  /**
   * Every element of the header's comma-separated lists (quote- and
   * <>-aware, RFC 3261 7.3.1). Headers that are not lists
   * (WWW-Authenticate, Authorization, Date...) are returned whole.
   */
  getHeaderList(name: string): string[] {
    const key = headerKeyOf(name).key;
    const list = isListHeader(key);
    const out: string[] = [];
    for (const h of this.headers) {
      if (h.key !== key) continue;
      if (list) splitList(h.value, out);
      else out.push(h.value);
    }
    return out;
  }

  /** True when the message has a field of this header (name case-insensitive, compact ok). */
  hasHeader(name: string): boolean {
    return this.find(headerKeyOf(name).key) !== undefined;
  }

  /** Replaces every field of the header by one (in the place of the first). Throws SipParseError on a bad name/value. */
  setHeader(name: string, value: string): void {
    const field = makeField(name, value);
    const out: HeaderField[] = [];
    let placed = false;
    for (const h of this.headers) {
      if (h.key !== field.key) out.push(h);
      else if (!placed) {
        out.push(field);
        placed = true;
      }
    }
    if (!placed) out.push(field);
    this.headers = out;
    this._t = new TypedViews();
  }

  /** Appends a field. Throws SipParseError on a bad name/value. */
  addHeader(name: string, value: string): void {
    this.headers.push(makeField(name, value));
    this._t = new TypedViews();
  }

  /** Inserts a field before all others (e.g. a new top Via). Throws SipParseError on a bad name/value. */
  prependHeader(name: string, value: string): void {
    this.headers.unshift(makeField(name, value));
    this._t = new TypedViews();
  }

  /** Removes every field of the header. */
  removeHeader(name: string): void {
    const key = headerKeyOf(name).key;
    this.headers = this.headers.filter((h) => h.key !== key);
    this._t = new TypedViews();
  }

  /** Every Via entry, top first (RFC 3261 20.42); [] when there is none. */
  get vias(): Via[] {
    const t = this._t;
    if (t.vias !== undefined && sameFields(this.headers, K_VIA, t.viaFields, t.viaValues)) return t.vias;
    const { fields, values } = collect(this.headers, K_VIA);
    const out: Via[] = [];
    for (const v of values) parseViaRange(v, 0, v.length, out);
    t.viaFields = fields;
    t.viaValues = values;
    return (t.vias = out);
  }

  /** Every Contact entry (RFC 3261 20.10); [] when there is none. */
  get contacts(): Contact[] {
    const t = this._t;
    if (t.contacts !== undefined && sameFields(this.headers, K_CONTACT, t.contactFields, t.contactValues))
      return t.contacts;
    const { fields, values } = collect(this.headers, K_CONTACT);
    const out: Contact[] = [];
    for (const v of values) parseContactValue(v, out);
    t.contactFields = fields;
    t.contactValues = values;
    return (t.contacts = out);
  }

  /** Call-ID (RFC 3261 20.8). */
  get callId(): string {
    const f = this.find(K_CALL_ID);
    if (f === undefined) throw missing('Call-ID');
    const t = this._t;
    if (t.callIdField !== f || t.callIdValue !== f.value) {
      validateCallId(f.value);
      t.callIdField = f;
      t.callIdValue = f.value;
    }
    return t.callIdValue;
  }

  /** CSeq (RFC 3261 20.16). */
  get cseq(): CSeq {
    const f = this.find(K_CSEQ);
    if (f === undefined) throw missing('CSeq');
    const t = this._t;
    if (t.cseq !== undefined && t.cseqField === f && t.cseqValue === f.value) return t.cseq;
    const p = parseCSeq(f.value);
    t.cseqField = f;
    t.cseqValue = f.value;
    return (t.cseq = p);
  }

  /** From (RFC 3261 20.20); the tag is `from.params.get('tag')`. */
  get from(): NameAddr {
    const f = this.find(K_FROM);
    if (f === undefined) throw missing('From');
    const t = this._t;
    if (t.from !== undefined && t.fromField === f && t.fromValue === f.value) return t.from;
    const p = parseNameAddr(f.value);
    t.fromField = f;
    t.fromValue = f.value;
    return (t.from = p);
  }

  /** To (RFC 3261 20.39); the tag is `to.params.get('tag')`. */
  get to(): NameAddr {
    const f = this.find(K_TO);
    if (f === undefined) throw missing('To');
    const t = this._t;
    if (t.to !== undefined && t.toField === f && t.toValue === f.value) return t.to;
    const p = parseNameAddr(f.value);
    t.toField = f;
    t.toValue = f.value;
    return (t.to = p);
  }

  /** Max-Forwards (RFC 3261 20.22), or undefined when absent. */
  get maxForwards(): number | undefined {
    const f = this.find(K_MAX_FORWARDS);
    if (f === undefined) return undefined;
    const t = this._t;
    if (t.maxForwardsField !== f || t.maxForwardsValue !== f.value) {
      t.maxForwards = parseMaxForwards(f.value);
      t.maxForwardsField = f;
      t.maxForwardsValue = f.value;
    }
    return t.maxForwards;
  }

  /** Expires in seconds (RFC 3261 20.19), or undefined when absent. */
  get expires(): number | undefined {
    const f = this.find(K_EXPIRES);
    if (f === undefined) return undefined;
    const t = this._t;
    if (t.expiresField !== f || t.expiresValue !== f.value) {
      t.expires = parseExpires(f.value);
      t.expiresField = f;
      t.expiresValue = f.value;
    }
    return t.expires;
  }
}

/** A request (RFC 3261 section 7.1). */
export class SipRequest extends SipMessage {
  /** the method, case-sensitive (RFC 3261 7.1) */
  method: string;
  /** the Request-URI */
  uri: Uri;

  /** Throws SipParseError when the method is not a token or a header is invalid. */
  constructor(method: string, uri: Uri, headers?: HeaderInit, body?: Buffer) {
    super(headers, body);
    if (!isTokenRange(method, 0, method.length))
      throw new SipParseError('start-line', `invalid method ${JSON.stringify(method)}`);
    this.method = method;
    this.uri = uri;
  }
}

/** A response (RFC 3261 section 7.2). */
export class SipResponse extends SipMessage {
  /** Status-Code, 100-699 */
  status: number;
  /** Reason-Phrase (may be empty) */
  reason: string;

  /** Throws SipParseError when the status is not 100-699 or the reason has CR/LF. */
  constructor(status: number, reason: string, headers?: HeaderInit, body?: Buffer) {
    super(headers, body);
    if (!Number.isInteger(status) || status < 100 || status > 699)
      throw new SipParseError('start-line', `invalid status ${status}`);
    if (reason.indexOf('\r') >= 0 || reason.indexOf('\n') >= 0)
      throw new SipParseError('start-line', 'reason phrase contains CR or LF');
    this.status = status;
    this.reason = reason;
  }
}
