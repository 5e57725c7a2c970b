import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_MESSAGE_SUMMARY_BYTES,
  MessageSummaryParseError,
  formatMessageSummary,
  parseMessageSummary,
  summaryFromCounts,
  type MessageCounts,
  type MessageSummary,
  type MessageSummaryParseErrorCode,
} from '../../../../../src/events/packages/message-summary/message-summary-body.js';
import {
  ASTERISK,
  ASTERISK_EMPTY,
  EXCHANGE_UM,
  FREESWITCH,
  LOWERCASE_LF,
  RFC3842_WITH_MESSAGE_HEADERS,
} from './message-summary-fixtures.js';

function counts(n: number, o: number, un = 0, uo = 0): MessageCounts {
  return { new: n, old: o, urgentNew: un, urgentOld: uo };
}

function throwsCode(fn: () => unknown, code: MessageSummaryParseErrorCode): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof MessageSummaryParseError, `expected MessageSummaryParseError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.equal(caught.name, 'MessageSummaryParseError');
}

describe('parseMessageSummary: real senders', () => {
  test('Exchange UM: no urgent part, urgent counts read as 0', () => {
    assert.deepEqual(parseMessageSummary(EXCHANGE_UM), {
      messagesWaiting: true,
      account: 'sip:alice@example.com',
      classes: new Map([['voice-message', counts(8, 3)]]),
      extraHeaders: [],
      messageHeaders: '',
    });
  });

  test('Asterisk: always (0/0)', () => {
    const s = parseMessageSummary(ASTERISK);
    assert.equal(s.messagesWaiting, true);
    assert.equal(s.account, 'sip:*97@192.0.2.10');
    assert.deepEqual(s.classes, new Map([['voice-message', counts(2, 5)]]));
    const empty = parseMessageSummary(ASTERISK_EMPTY);
    assert.equal(empty.messagesWaiting, false);
    assert.deepEqual(empty.classes.get('voice-message'), counts(0, 0));
  });

  test('FreeSWITCH: 2/1 (0/0)', () => {
    assert.deepEqual(parseMessageSummary(FREESWITCH).classes.get('voice-message'), counts(2, 1));
  });

  test('lower-case names and values, LF-only, spaces around / and ()', () => {
    assert.deepEqual(parseMessageSummary(LOWERCASE_LF), {
      messagesWaiting: true,
      account: 'sip:1000@192.0.2.20',
      classes: new Map([['voice-message', counts(2, 1)]]),
      extraHeaders: [],
      messageHeaders: '',
    });
  });

  test('RFC 3842 body: several classes, urgent counts, message headers kept verbatim', () => {
    const s = parseMessageSummary(RFC3842_WITH_MESSAGE_HEADERS);
    assert.equal(s.account, 'sip:alice@vmail.example.com');
    assert.deepEqual(s.classes.get('voice-message'), counts(4, 8, 1, 2));
    assert.deepEqual(s.classes.get('fax-message'), counts(1, 0));
    assert.equal(s.messageHeaders, RFC3842_WITH_MESSAGE_HEADERS.slice(RFC3842_WITH_MESSAGE_HEADERS.indexOf('To:')));
  });

  test('Buffer input, UTF-8 account', () => {
    const s = parseMessageSummary(Buffer.from('Messages-Waiting: no\r\nMessage-Account: sip:jürgen@example.com\r\n'));
    assert.equal(s.account, 'sip:jürgen@example.com');
    assert.equal(s.messagesWaiting, false);
    assert.equal(s.classes.size, 0);
  });

  test('Uint8Array input', () => {
    const s = parseMessageSummary(new TextEncoder().encode('Messages-Waiting: yes\nVoice-Message: 1/0\n') as Buffer);
    assert.deepEqual(s.classes.get('voice-message'), counts(1, 0));
  });
});

describe('parseMessageSummary: tolerance', () => {
  test('BOM, leading blank lines, surrounding whitespace, bare CR line ends', () => {
    const s = parseMessageSummary('\uFEFF\r\n \r\n\t Messages-Waiting\t:  Yes \rVoice-Message:3/4(1/0)  \r  ');
    assert.equal(s.messagesWaiting, true);
    assert.deepEqual(s.classes.get('voice-message'), counts(3, 4, 1, 0));
    assert.equal(s.messageHeaders, '');
  });

  test('no line end after the last line', () => {
    assert.equal(parseMessageSummary('Messages-Waiting: no').messagesWaiting, false);
  });

  test('unknown classes and extra headers are kept, in order', () => {
    const s = parseMessageSummary(
      'Messages-Waiting: yes\r\nX-Video-Message: 1/2\r\nVoice-Message: 1/0\r\nX-Vendor: abc\r\nX-Empty:\r\nX-Ratio: 1/x\r\n',
    );
    assert.deepEqual(
      [...s.classes],
      [
        ['x-video-message', counts(1, 2)],
        ['voice-message', counts(1, 0)],
      ],
    );
    assert.deepEqual(s.extraHeaders, [
      ['X-Vendor', 'abc'],
      ['X-Empty', ''],
      ['X-Ratio', '1/x'],
    ]);
  });

  test('an unknown header with out-of-range counts is an extra header, not an error', () => {
    const s = parseMessageSummary('Messages-Waiting: yes\r\nX-Big: 4294967296/0\r\n');
    assert.deepEqual(s.extraHeaders, [['X-Big', '4294967296/0']]);
    assert.equal(s.classes.size, 0);
  });

  test('a repeated class: the last line wins', () => {
    const s = parseMessageSummary('Messages-Waiting: yes\r\nVoice-Message: 1/1\r\nvoice-message: 5/6 (1/1)\r\n');
    assert.deepEqual(s.classes, new Map([['voice-message', counts(5, 6, 1, 1)]]));
  });

  test('first non-empty Message-Account wins, later ones and later Messages-Waiting are kept as extras', () => {
    const s = parseMessageSummary(
      'Messages-Waiting: yes\r\nMessage-Account:\r\nVoice-Message: 1/0\r\nMessage-Account: sip:a@x\r\n' +
        'Message-Account: sip:b@x\r\nMessages-Waiting: no\r\n',
    );
    assert.equal(s.account, 'sip:a@x');
    assert.equal(s.messagesWaiting, true);
    assert.deepEqual(s.extraHeaders, [
      ['Message-Account', 'sip:b@x'],
      ['Messages-Waiting', 'no'],
    ]);
  });

  test('no account: the property is absent', () => {
    assert.equal('account' in parseMessageSummary('Messages-Waiting: no\r\n'), false);
  });

  test('RFC 3261 7.3.1 folding joins a continuation line with one space', () => {
    const s = parseMessageSummary(
      'Messages-Waiting:\r\n  yes\r\nMessage-Account:\r\n\tsip:alice@example.com\r\nVoice-Message: 2/1  \r\n (0/1)\r\nX-A: one\r\n two\r\n',
    );
    assert.equal(s.messagesWaiting, true);
    assert.equal(s.account, 'sip:alice@example.com');
    assert.deepEqual(s.classes.get('voice-message'), counts(2, 1, 0, 1));
    assert.deepEqual(s.extraHeaders, [['X-A', 'one two']]);
  });

  test('lines that are not token ":" value are ignored', () => {
    const s = parseMessageSummary(
      'Messages-Waiting: yes\r\ngarbage\r\nbad name: 1/2\r\n: 3/4\r\nVoice-Message: 1/0\r\n',
    );
    assert.deepEqual([...s.classes.keys()], ['voice-message']);
    assert.deepEqual(s.extraHeaders, []);
  });

  test('a whitespace-only line ends the summary part', () => {
    const s = parseMessageSummary('Messages-Waiting: yes\r\n \t\r\nVoice-Message: 1/0\r\n');
    assert.equal(s.classes.size, 0);
    assert.equal(s.messageHeaders, 'Voice-Message: 1/0\r\n');
  });

  test('counts up to 2^32-1 and with leading zeros', () => {
    const s = parseMessageSummary(
      'Messages-Waiting: yes\r\nVoice-Message: 4294967295/0004294967295 (00/4294967295)\r\n',
    );
    assert.deepEqual(s.classes.get('voice-message'), counts(4294967295, 4294967295, 0, 4294967295));
  });

  test('the 64 KiB limit itself is accepted', () => {
    const head = 'Messages-Waiting: yes\r\n\r\n';
    const body = head + 'x'.repeat(MAX_MESSAGE_SUMMARY_BYTES - head.length);
    assert.equal(parseMessageSummary(body).messageHeaders.length, MAX_MESSAGE_SUMMARY_BYTES - head.length);
    assert.equal(parseMessageSummary(Buffer.from(body)).messagesWaiting, true);
  });
});

describe('parseMessageSummary: errors', () => {
  test('missing or bad Messages-Waiting -> messages-waiting', () => {
    for (const body of [
      '',
      '\r\n \r\n',
      'Voice-Message: 1/0\r\nMessages-Waiting: yes\r\n',
      'Messages-Waiting: maybe\r\n',
      'Messages-Waiting yes\r\n',
      'Messages-Waiting: yes no\r\n',
      'Messages-Waiting: yes\r\n'.slice(1),
      'Message-Waiting: yes\r\n',
      '\r\n\r\nMessages-Waiting: \r\n',
    ]) {
      throwsCode(() => parseMessageSummary(body), 'messages-waiting');
    }
  });

  test('malformed counts of a known class -> counts', () => {
    for (const value of [
      '4294967296/0',
      '0/4294967296',
      '1/0 (4294967296/0)',
      '99999999999999999999999/1',
      '-1/0',
      '+1/0',
      '1/-0',
      'a/b',
      '1',
      '1/',
      '/1',
      '1 0',
      '1/0 (0)',
      '1/0 (',
      '1/0x',
      '1/0 )',
      '1/0 (0/0',
      '1/0 0/0)',
      '1/0 (0/0) x',
      '1/0 ()',
      '1.5/0',
      '',
      '１/0', // full-width digit
    ]) {
      throwsCode(() => parseMessageSummary(`Messages-Waiting: yes\r\nFax-Message: ${value}\r\n`), 'counts');
    }
  });

  test('over 64 KiB -> too-large, for strings, multi-byte strings and Buffers', () => {
    const big = 'Messages-Waiting: yes\r\n\r\n' + 'x'.repeat(MAX_MESSAGE_SUMMARY_BYTES);
    throwsCode(() => parseMessageSummary(big), 'too-large');
    throwsCode(() => parseMessageSummary(Buffer.from(big)), 'too-large');
    // 30,000 characters but 90,000 UTF-8 bytes.
    throwsCode(() => parseMessageSummary('Messages-Waiting: yes\r\n\r\n' + '€'.repeat(30000)), 'too-large');
  });

  test('a value that is neither a string nor bytes -> body', () => {
    throwsCode(() => parseMessageSummary(42 as unknown as string), 'body');
    throwsCode(() => parseMessageSummary(null as unknown as string), 'body');
  });
});

describe('formatMessageSummary', () => {
  test('canonical form of the Exchange body: urgent part always written', () => {
    assert.equal(
      formatMessageSummary(parseMessageSummary(EXCHANGE_UM)),
      'Messages-Waiting: yes\r\nMessage-Account: sip:alice@example.com\r\nVoice-Message: 8/3 (0/0)\r\n',
    );
  });

  test('Asterisk and FreeSWITCH bodies are already canonical', () => {
    assert.equal(formatMessageSummary(parseMessageSummary(ASTERISK)), ASTERISK);
    assert.equal(formatMessageSummary(parseMessageSummary(FREESWITCH)), FREESWITCH);
    assert.equal(formatMessageSummary(parseMessageSummary(LOWERCASE_LF)), FREESWITCH);
  });

  test('RFC order, then unknown classes, then extra headers, then blank line + message headers', () => {
    const s: MessageSummary = {
      messagesWaiting: false,
      classes: new Map([
        ['x-video-message', counts(7, 0)],
        ['none', counts(0, 1)],
        ['text-message', counts(0, 2)],
        ['voice-message', counts(1, 2, 3, 4)],
        ['fax-message', counts(5, 6)],
        ['multimedia-message', counts(0, 3)],
        ['pager-message', counts(0, 4)],
      ]),
      extraHeaders: [
        ['X-Vendor', 'abc'],
        ['X-Empty', ''],
      ],
      messageHeaders: 'Subject: hi\r\n',
    };
    assert.equal(
      formatMessageSummary(s),
      'Messages-Waiting: no\r\n' +
        'Voice-Message: 1/2 (3/4)\r\n' +
        'Fax-Message: 5/6 (0/0)\r\n' +
        'Pager-Message: 0/4 (0/0)\r\n' +
        'Multimedia-Message: 0/3 (0/0)\r\n' +
        'Text-Message: 0/2 (0/0)\r\n' +
        'None: 0/1 (0/0)\r\n' +
        'X-Video-Message: 7/0 (0/0)\r\n' +
        'X-Vendor: abc\r\n' +
        'X-Empty:\r\n' +
        '\r\n' +
        'Subject: hi\r\n',
    );
  });

  test('RFC 3842 body round-trips to the same text apart from the urgent part', () => {
    assert.equal(
      formatMessageSummary(parseMessageSummary(RFC3842_WITH_MESSAGE_HEADERS)),
      RFC3842_WITH_MESSAGE_HEADERS.replace('Fax-Message: 1/0', 'Fax-Message: 1/0 (0/0)'),
    );
  });

  test('rejects summaries no parse could return, with RangeError', () => {
    const base = (): MessageSummary => summaryFromCounts({ new: 1, old: 0, urgentNew: 0, urgentOld: 0 });
    const bad: MessageSummary[] = [
      { ...base(), classes: new Map([['voice-message', counts(4294967296, 0)]]) },
      { ...base(), classes: new Map([['voice-message', counts(-1, 0)]]) },
      { ...base(), classes: new Map([['voice-message', counts(1.5, 0)]]) },
      { ...base(), classes: new Map([['voice-message', counts(Number.NaN, 0)]]) },
      { ...base(), classes: new Map([['Voice-Message', counts(1, 0)]]) },
      { ...base(), classes: new Map([['x foo', counts(1, 0)]]) },
      { ...base(), classes: new Map([['message-account', counts(1, 0)]]) },
      { ...base(), account: '' },
      { ...base(), account: 'sip:a@x\r\nVoice-Message: 9/9' },
      { ...base(), account: ' sip:a@x' },
      { ...base(), extraHeaders: [['X-A', 'a\nb']] },
      { ...base(), extraHeaders: [['X-A', 'a ']] },
      { ...base(), extraHeaders: [['X A', 'a']] },
      { ...base(), extraHeaders: [['', 'a']] },
      { ...base(), extraHeaders: [['fax-message', 'a']] },
      { ...base(), extraHeaders: [['X-Count', '1/2']] },
      { ...base(), extraHeaders: [['Message-Account', 'sip:a@x']] },
    ];
    for (const s of bad) assert.throws(() => formatMessageSummary(s), RangeError, JSON.stringify([...s.classes, s]));
  });

  test('accepts an extra Message-Account when there is an account, and an extra Messages-Waiting', () => {
    const s: MessageSummary = {
      ...summaryFromCounts({ new: 0, old: 0, urgentNew: 0, urgentOld: 0, account: 'sip:a@x' }),
      extraHeaders: [
        ['Message-Account', 'sip:b@x'],
        ['Messages-Waiting', '1/2'],
      ],
    };
    assert.deepEqual(parseMessageSummary(formatMessageSummary(s)), s);
  });
});

describe('summaryFromCounts', () => {
  test('voice-message only, messagesWaiting = new > 0', () => {
    assert.deepEqual(
      summaryFromCounts({ new: 8, old: 3, urgentNew: 1, urgentOld: 0, account: 'sip:alice@example.com' }),
      {
        messagesWaiting: true,
        account: 'sip:alice@example.com',
        classes: new Map([['voice-message', counts(8, 3, 1, 0)]]),
        extraHeaders: [],
        messageHeaders: '',
      },
    );
    const none = summaryFromCounts({ new: 0, old: 3, urgentNew: 0, urgentOld: 0 });
    assert.equal(none.messagesWaiting, false);
    assert.equal('account' in none, false);
    assert.equal(formatMessageSummary(none), 'Messages-Waiting: no\r\nVoice-Message: 0/3 (0/0)\r\n');
  });

  test('the Exchange body parses to what summaryFromCounts gives', () => {
    assert.deepEqual(
      parseMessageSummary(EXCHANGE_UM),
      summaryFromCounts({ new: 8, old: 3, urgentNew: 0, urgentOld: 0, account: 'sip:alice@example.com' }),
    );
  });
});
