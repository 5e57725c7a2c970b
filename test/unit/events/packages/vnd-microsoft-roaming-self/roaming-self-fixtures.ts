/** Bodies as real senders write them ([MS-PRES] section 4.4.1, PROTOCOLS.md section 4). */

/** The roamingList of PROTOCOLS.md section 4 (Lync 2010 client). */
export const LYNC_ROAMING_LIST =
  '<roamingList xmlns="http://schemas.microsoft.com/2006/09/sip/roaming-self">\r\n' +
  '  <roaming type="categories"/><roaming type="containers"/><roaming type="subscribers"/>\r\n' +
  '</roamingList>';

/** [MS-PRES] section 4.4.1: Office Communicator 2007 R2, with the delegates roamingEx. */
export const OC_ROAMING_LIST_WITH_DELEGATES =
  '<roamingList xmlns="http://schemas.microsoft.com/2006/09/sip/roaming-self">\r\n' +
  '  <roaming type="categories"/>\r\n' +
  '  <roaming type="containers"/>\r\n' +
  '  <roaming type="subscribers"/>\r\n' +
  '  <roamingEx xmlns="http://schemas.microsoft.com/2007/09/sip/roaming-self-ex" type="delegates"/> \r\n' +
  '</roamingList>';

/** The roamingData of PROTOCOLS.md section 4, verbatim (8 new, 3 old, version 32). */
export const PROTOCOLS_ROAMING_DATA = `<roamingData xmlns="http://schemas.microsoft.com/2006/09/sip/roaming-self"
             xmlns:cat="http://schemas.microsoft.com/2006/09/sip/categories">
  <categories xmlns="http://schemas.microsoft.com/2006/09/sip/categories"
              uri="sip:alice@example.com">
    <category name="mwi" instance="0" publishTime="2010-10-26T07:42:42.387"
              container="1" version="32" expireType="static">
      <mwi xmlns="http://schemas.microsoft.com/2006/09/sip/mwi"
           messageWaiting="true" unreadVoiceMailCount="8" readVoiceMailCount="3"/>
    </category>
  </categories>
</roamingData>`;

/** A SUBSCRIBE of a Lync endpoint ([MS-PRES] section 4.4.1), body and extension headers variable. */
export function subscribeText(
  o: {
    user?: string;
    body?: string;
    headers?: string[];
    toTag?: string;
    contentType?: string | null;
  } = {},
): string {
  const user = o.user ?? 'alice';
  const body = o.body ?? LYNC_ROAMING_LIST;
  const lines = [
    `SUBSCRIBE sip:${user}@example.com SIP/2.0`,
    'Via: SIP/2.0/TLS 192.0.2.10:2140;branch=z9hG4bK776asdhds',
    'Max-Forwards: 70',
    'From: <sip:alice@example.com>;tag=1415cd9c08;epid=ffad8b59dc',
    `To: <sip:${user}@example.com>${o.toTag ? `;tag=${o.toTag}` : ''}`,
    'Call-ID: 0599fe5e383644229740f1afefa5b456',
    'CSeq: 1 SUBSCRIBE',
    'Contact: <sip:alice@192.0.2.10:2140;transport=tls>',
    'Event: vnd-microsoft-roaming-self',
    'Accept: application/vnd-microsoft-roaming-self+xml',
    ...(o.headers ?? []),
  ];
  const ct = o.contentType === undefined ? 'application/vnd-microsoft-roaming-self+xml' : o.contentType;
  if (ct !== null && body !== '') lines.push(`Content-Type: ${ct}`);
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`, '', body);
  return lines.join('\r\n');
}
