import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MAX_MESSAGE_COUNT,
  MAX_MESSAGE_SUMMARY_BYTES,
  MESSAGE_CLASSES,
  MessageSummaryParseError,
  formatMessageSummary,
  parseMessageSummary,
  type MessageCounts,
  type MessageSummary,
} from '../../../../../src/events/packages/message-summary/message-summary-body.js';
import { parseCounts } from '../../../../../src/events/packages/message-summary/message-summary-counts.js';

const RESERVED = new Set<string>([...MESSAGE_CLASSES, 'messages-waiting', 'message-account']);

const count = fc.oneof(fc.constantFrom(0, 1, MAX_MESSAGE_COUNT), fc.integer({ min: 0, max: MAX_MESSAGE_COUNT }));
const countsArb: fc.Arbitrary<MessageCounts> = fc.record(
  { new: count, old: count, urgentNew: count, urgentOld: count },
  { noNullPrototype: true },
);

const TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~".split('');
const token = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 20 });

/** A value parse returns: no CR/LF, no SP/HTAB at either edge. */
const value = fc
  .string({ unit: 'binary', maxLength: 40 })
  .map((v) => v.replace(/[\r\n]/g, '').replace(/^[ \t]+|[ \t]+$/g, ''));

const unknownClassKey = token.map((t) => t.toLowerCase()).filter((k) => !RESERVED.has(k));
const knownClassKey = fc.constantFrom(...MESSAGE_CLASSES);
const classes = fc
  .uniqueArray(fc.tuple(fc.oneof(knownClassKey, unknownClassKey), countsArb), { selector: (e) => e[0], maxLength: 8 })
  .map((entries) => new Map<string, MessageCounts>(entries));

const extraHeader: fc.Arbitrary<[string, string]> = fc.oneof(
  fc
    .tuple(token, value)
    .filter(([n, v]) => !RESERVED.has(n.toLowerCase()) && parseCounts(v, 0, v.length) === undefined),
  fc.tuple(fc.constantFrom('Messages-Waiting', 'messages-waiting'), value),
);

/** Summaries a parse can return (what the format round trip is about). */
const summary: fc.Arbitrary<MessageSummary> = fc
  .record(
    {
      messagesWaiting: fc.boolean(),
      account: fc.oneof(
        fc.constantFrom(
          'sip:alice@example.com',
          'sips:*97@[2001:db8::1]:5061',
          'tel:+15551234',
          'sip:jürgen@example.com',
        ),
        value.filter((v) => v.length > 0),
      ),
      classes,
      extraHeaders: fc.array(extraHeader, { maxLength: 5 }),
      messageHeaders: fc.oneof(
        fc.constant(''),
        fc.string({ unit: 'binary', maxLength: 80 }),
        fc.constant('To: <alice@example.com>\r\nSubject: hi\r\n'),
      ),
    },
    { requiredKeys: ['messagesWaiting', 'classes', 'extraHeaders', 'messageHeaders'], noNullPrototype: true },
  )
  // An extra Message-Account is only meaningful after an account line.
  .map((s) =>
    s.account === undefined
      ? s
      : { ...s, extraHeaders: [...s.extraHeaders, ['Message-Account', 'sip:second@example.com']] },
  );

/** Lines made of the grammar's own pieces, to reach deep paths of the parser. */
const grammarPiece = fc.constantFrom(
  'Messages-Waiting',
  'messages-waiting',
  'Message-Account',
  'Voice-Message',
  'fax-message',
  'None',
  'X-Foo',
  ':',
  ': ',
  ' ',
  '\t',
  '/',
  '(',
  ')',
  '0',
  '1',
  '42',
  '4294967295',
  '4294967296',
  '-',
  'yes',
  'no',
  'YES',
  '\r\n',
  '\n',
  '\r',
  '\r\n\r\n',
  'sip:a@b',
  '\uFEFF',
  '€',
);
const grammarText = fc.array(grammarPiece, { maxLength: 40 }).map((p) => p.join(''));

/** Either a summary or a MessageSummaryParseError; a summary must also re-format and round-trip. */
function checkAnyInput(input: string | Buffer): void {
  let s: MessageSummary;
  try {
    s = parseMessageSummary(input);
  } catch (e) {
    assert.ok(e instanceof MessageSummaryParseError, `unexpected ${String(e)}`);
    return;
  }
  const text = formatMessageSummary(s);
  assert.deepEqual(parseMessageSummary(text), s);
  assert.equal(formatMessageSummary(parseMessageSummary(text)), text);
}

describe('message-summary body properties', () => {
  test('parse(format(s)) deep-equals s', () => {
    fc.assert(
      fc.property(summary, (s) => {
        assert.deepEqual(parseMessageSummary(formatMessageSummary(s)), s);
      }),
      { numRuns: 500 },
    );
  });

  test('format(parse(format(s))) === format(s), also through UTF-8 bytes', () => {
    fc.assert(
      fc.property(summary, (s) => {
        const text = formatMessageSummary(s);
        assert.equal(formatMessageSummary(parseMessageSummary(text)), text);
        // Lone surrogates do not survive UTF-8; everything else must.
        const bytes = Buffer.from(text, 'utf8');
        if (bytes.toString('utf8') === text) assert.equal(formatMessageSummary(parseMessageSummary(bytes)), text);
      }),
      { numRuns: 300 },
    );
  });

  test('arbitrary strings: a summary or a MessageSummaryParseError, never anything else', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), checkAnyInput), { numRuns: 1000 });
  });

  test('grammar-shaped strings: a summary or a MessageSummaryParseError', () => {
    fc.assert(fc.property(grammarText, checkAnyInput), { numRuns: 2000 });
    fc.assert(
      fc.property(grammarText, (t) => checkAnyInput('Messages-Waiting: yes\r\n' + t)),
      { numRuns: 2000 },
    );
  });

  test('arbitrary bytes: a summary or a MessageSummaryParseError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => checkAnyInput(Buffer.from(bytes))),
      { numRuns: 1000 },
    );
  });

  test('worst-case 64 KiB inputs parse in linear time', () => {
    const n = MAX_MESSAGE_SUMMARY_BYTES;
    const head = 'Messages-Waiting: yes\n';
    const bodies = [
      head + 'a\n'.repeat((n - head.length) >> 1), // many lines without a colon
      head + 'X-A: 1\n' + ' b\n'.repeat(Math.floor((n - head.length - 7) / 3)), // one header folded thousands of times
      head + 'X' + ':'.repeat(n - head.length - 1),
      head + 'Voice-Message: ' + '0'.repeat(n - head.length - 17) + '/0',
      head + 'X-A: ' + ' '.repeat(n - head.length - 6) + 'x',
      head + 'Voice-Message: 1/1\r'.repeat(Math.floor((n - head.length) / 19)),
      '\n'.repeat(n - 1) + 'M',
    ];
    for (const body of bodies) {
      assert.ok(body.length <= n, `fixture is ${body.length} bytes`);
      const t0 = process.hrtime.bigint();
      try {
        parseMessageSummary(body);
      } catch (e) {
        assert.ok(e instanceof MessageSummaryParseError);
      }
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      // Linear: about a millisecond. A quadratic scan of 64 KiB takes seconds.
      assert.ok(ms < 500, `took ${ms} ms on ${JSON.stringify(body.slice(0, 40))}...`);
    }
  });
});
