/**
 * `--mwi-target URI`: the SIP server openum, acting as the voicemail (the
 * "UM" role of PROTOCOLS.md section 3), sends every mailbox change to.
 *
 * ```
 * sip:127.0.0.1:5070                       NOTIFY over UDP (RFC 3263 4.1 default)
 * sip:pbx.example.com;transport=tcp        NOTIFY over TCP to port 5060
 * sips:lync.example.com:5061               NOTIFY over TLS
 * sip:127.0.0.1:5070;method=PUBLISH        RFC 3903 PUBLISH (Kamailio presence_mwi)
 * ```
 */
import { isIP } from 'node:net';
import { DialogError, resolveUriTarget } from '../sip/dialog/index.js';
import { SipParseError, SipUri, parseUri } from '../sip/message/index.js';

/** How the mailbox state is carried to a target. */
export type MwiTargetMethod = 'NOTIFY' | 'PUBLISH';

/**
 * What was wrong with a `--mwi-target` value:
 * - `syntax`: not a URI (or URI headers `?...`, an empty `maddr`)
 * - `scheme`: not sip: or sips:
 * - `user`: a user part; a target names a server, the mailbox user goes in the Request-URI
 * - `transport`: not udp, tcp or tls (ws/wss cannot be dialled; sips over udp is impossible)
 * - `method`: a `method` parameter other than NOTIFY or PUBLISH
 * - `domain`: our SIP domain cannot stand in a URI (raised by the forwarder)
 */
export type MwiTargetErrorCode = 'syntax' | 'scheme' | 'user' | 'transport' | 'method' | 'domain';

/** A bad `--mwi-target` (the CLI turns it into exit code 2). */
export class MwiTargetError extends Error {
  override readonly name = 'MwiTargetError';
  constructor(
    readonly code: MwiTargetErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A parsed `--mwi-target`. */
export interface MwiTarget {
  /** The value as given (trimmed): the label of metrics and logs. */
  readonly uri: string;
  /** The URI we send to: `uri` without the `method` parameter. */
  readonly sendUri: string;
  readonly method: MwiTargetMethod;
  readonly protocol: 'udp' | 'tcp' | 'tls';
  /** IPv4 or IPv6 address (no brackets), or a host name to resolve (A/AAAA). */
  readonly host: string;
  readonly port: number;
  /** `host` is a name, not an address literal. */
  readonly isName: boolean;
}

/**
 * Parses a `--mwi-target` value: a sip: or sips: URI of a server (no user
 * part) with an optional `;method=NOTIFY|PUBLISH` (default NOTIFY), which
 * is removed from the URI we send to. Transport, address and port follow
 * RFC 3263 section 4 without DNS NAPTR/SRV ({@link resolveUriTarget}):
 * `;transport=udp|tcp|tls`, sips: means TLS, default port 5060 (5061 for
 * TLS), `maddr` overrides the host (RFC 3261 19.1.1).
 *
 * @throws MwiTargetError (only)
 */
export function parseMwiTarget(text: string): MwiTarget {
  const uri = typeof text === 'string' ? text.trim() : '';
  if (uri.length === 0) throw new MwiTargetError('syntax', '--mwi-target: empty URI');
  let parsed: ReturnType<typeof parseUri>;
  try {
    parsed = parseUri(uri);
  } catch (e) {
    if (e instanceof SipParseError) throw new MwiTargetError('syntax', `--mwi-target ${uri}: ${e.message}`);
    throw e;
  }
  if (!(parsed instanceof SipUri)) {
    throw new MwiTargetError('scheme', `--mwi-target ${uri}: must be a sip: or sips: URI`);
  }
  if (parsed.user !== undefined) {
    throw new MwiTargetError(
      'user',
      `--mwi-target ${uri}: names a server (sip:HOST[:PORT][;transport=...]), not a user`,
    );
  }
  if (parsed.headers.size > 0)
    throw new MwiTargetError('syntax', `--mwi-target ${uri}: URI headers (?...) are not allowed`);
  let method: MwiTargetMethod = 'NOTIFY';
  const m = parsed.params.get('method');
  if (m !== undefined) {
    const upper = (m ?? '').toUpperCase();
    if (upper !== 'NOTIFY' && upper !== 'PUBLISH') {
      throw new MwiTargetError('method', `--mwi-target ${uri}: method must be NOTIFY or PUBLISH`);
    }
    method = upper;
    parsed.params.delete('method');
  }
  const sendUri = parsed.toString();
  let target: ReturnType<typeof resolveUriTarget>;
  try {
    target = resolveUriTarget(sendUri);
  } catch (e) {
    if (e instanceof DialogError) throw new MwiTargetError('transport', `--mwi-target ${uri}: ${e.message}`);
    if (e instanceof SipParseError) throw new MwiTargetError('syntax', `--mwi-target ${uri}: ${e.message}`);
    throw e;
  }
  const protocol = target.protocol;
  if (protocol !== 'udp' && protocol !== 'tcp' && protocol !== 'tls') {
    throw new MwiTargetError('transport', `--mwi-target ${uri}: transport must be udp, tcp or tls`);
  }
  return {
    uri,
    sendUri,
    method,
    protocol,
    host: target.address,
    port: target.port,
    isName: isIP(target.address) === 0,
  };
}
