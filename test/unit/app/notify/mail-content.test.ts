import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  attachmentName,
  describeCaller,
  formatDuration,
  mailSubject,
  mailText,
} from '../../../../src/app/notify/mail-content.js';
import type { MessageRecord } from '../../../../src/storage/ports.js';

const M: MessageRecord = {
  id: 'abc',
  mailbox: 'alice',
  callerNumber: '1002',
  callerName: 'Bob',
  receivedAt: Date.parse('2024-05-01T08:05:09Z'),
  durationMs: 7_499,
  urgent: false,
  read: false,
  callId: null,
  reason: null,
  audioPath: 'alice/abc.wav',
  audioBytes: 1,
  origin: 'api',
};

describe('the e-mail of a message: subject and text', () => {
  test('durations as Asterisk shows them', () => {
    assert.deepEqual([0, 499, 500, 7_499, 59_500, 185_000, 3_723_000].map(formatDuration), [
      '0:00',
      '0:00',
      '0:01',
      '0:07',
      '1:00',
      '3:05',
      '1:02:03',
    ]);
  });

  test('the caller: name and number, either, or unknown', () => {
    assert.equal(describeCaller(M), 'Bob <1002>');
    assert.equal(describeCaller({ callerName: null, callerNumber: '1002' }), '1002');
    assert.equal(describeCaller({ callerName: 'Bob', callerNumber: null }), 'Bob');
    assert.equal(describeCaller({ callerName: '1002', callerNumber: '1002' }), '1002');
    assert.equal(describeCaller({ callerName: null, callerNumber: null }), 'an unknown caller');
    assert.equal(describeCaller({ callerName: ' \r\n ', callerNumber: '' }), 'an unknown caller');
  });

  test('a caller name cannot break a line or a header', () => {
    const s = mailSubject({ ...M, callerName: 'Eve\r\nBcc: x@example.com\u0000', callerNumber: null });
    assert.equal(s, 'New voice message from Eve Bcc: x@example.com (duration 0:07)');
    assert.equal(mailSubject({ ...M, callerName: 'x'.repeat(500) }).length < 140, true);
  });

  test('subject and body', () => {
    assert.equal(mailSubject(M), 'New voice message from Bob <1002> (duration 0:07)');
    assert.equal(mailSubject({ ...M, urgent: true }), 'Urgent voice message from Bob <1002> (duration 0:07)');
    assert.equal(
      mailText({ ...M, reason: 'unavailable' }, { name: 'alice', displayName: 'Alice A.' }),
      [
        'Hello Alice A.,',
        '',
        'there is a new voice message in mailbox alice.',
        '',
        'From:     Bob <1002>',
        'Received: 2024-05-01 08:05:09 UTC',
        'Duration: 0:07',
        'Mailbox:  alice',
        'Urgent:   no',
        'Reason:   unavailable',
        '',
        'The recording is attached (msg-abc.wav).',
        '',
        '-- ',
        'openum voicemail',
        '',
      ].join('\n'),
    );
    assert.equal(attachmentName('a/b.c'), 'msg-a_b_c.wav');
  });
});
