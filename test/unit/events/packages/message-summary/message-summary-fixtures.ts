/**
 * `application/simple-message-summary` bodies as real senders write them
 * (RFC 3842 section 5.2), for the codec tests and for the package tests.
 */

/** Exchange 2010 SP1 Unified Messaging to Lync, out-of-dialog NOTIFY: no urgent part. */
export const EXCHANGE_UM =
  'Messages-Waiting: yes\r\n' + 'Message-Account: sip:alice@example.com\r\n' + 'Voice-Message: 8/3\r\n';

/** Asterisk (chan_sip / res_pjsip MWI body generator): the urgent part is always `(0/0)`. */
export const ASTERISK =
  'Messages-Waiting: yes\r\n' + 'Message-Account: sip:*97@192.0.2.10\r\n' + 'Voice-Message: 2/5 (0/0)\r\n';

/** Asterisk with an empty mailbox. */
export const ASTERISK_EMPTY =
  'Messages-Waiting: no\r\n' + 'Message-Account: sip:*97@192.0.2.10\r\n' + 'Voice-Message: 0/0 (0/0)\r\n';

/** FreeSWITCH mod_voicemail / sofia MWI with the urgent counts written. */
export const FREESWITCH =
  'Messages-Waiting: yes\r\n' + 'Message-Account: sip:1000@192.0.2.20\r\n' + 'Voice-Message: 2/1 (0/0)\r\n';

/**
 * The lower-case form (names and values are case-insensitive): FreeSWITCH
 * relays and small PBXes send it, here with LF-only line ends, spaces
 * around the separators and a trailing blank line.
 */
export const LOWERCASE_LF =
  'messages-waiting: YES\n' + 'message-account: sip:1000@192.0.2.20\n' + 'voice-message : 2 / 1 ( 0 / 0 )\n' + '\n';

/**
 * RFC 3842 style body with several classes, urgent counts and the optional
 * per-message headers after the blank line.
 */
export const RFC3842_WITH_MESSAGE_HEADERS =
  'Messages-Waiting: yes\r\n' +
  'Message-Account: sip:alice@vmail.example.com\r\n' +
  'Voice-Message: 4/8 (1/2)\r\n' +
  'Fax-Message: 1/0\r\n' +
  '\r\n' +
  'To: <alice@atlanta.example.com>\r\n' +
  'From: <bob@biloxi.example.com>\r\n' +
  'Subject: carpool tomorrow?\r\n' +
  'Date: Sun, 09 May 2004 17:01:02 -0400\r\n' +
  'Priority: normal\r\n' +
  'Message-ID: 13784434989@vmail.example.com\r\n';
