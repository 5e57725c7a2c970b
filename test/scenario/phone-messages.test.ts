/**
 * `openum phone` lists the voice messages after each lamp change, as a Lync
 * phone does (CONTRACT.md): Autodiscover (SOAP GetUserSettings) gives the
 * EWS URL, FindItem the list, newest first, one line each (time, caller,
 * duration, new/old). Against a real `openum serve`: two deposits over the
 * REST API, then one marked read.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { writeWav } from '../../src/media/wav.js';
import { ManagedProcess } from '../support/child-process.js';
import { cliPath, startOpenum, type OpenumServer } from '../support/openum-process.js';

describe('openum phone prints the messages fetched over EWS', { timeout: 60_000 }, () => {
  let server: OpenumServer | undefined;
  before(async () => {
    server = await startOpenum({
      users: [{ name: 'hal', password: 'hal-secret' }],
      extraArgs: ['--rtp-ports', '35300-35399'],
    });
  });
  after(async () => {
    await server?.stop();
  });

  test('after each lamp change: a header and one line per message; read ones are old', async () => {
    assert.ok(server);
    const base = `http://${server.address('http')}`;
    const auth = `Basic ${Buffer.from('hal:hal-secret').toString('base64')}`;
    const ids: string[] = [];
    for (const [from, secs] of [
      ['5550301', 2],
      ['5550302', 3],
    ] as const) {
      const r = await fetch(`${base}/api/v1/mailboxes/hal/messages?from=${from}`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'audio/wav' },
        body: writeWav({ sampleRate: 8000, samples: new Int16Array(secs * 8000).fill(3000) }),
      });
      assert.equal(r.status, 201);
      ids.push(((await r.json()) as { id: string }).id);
    }
    const phone = new ManagedProcess(process.execPath, [
      cliPath(),
      'phone',
      '--server',
      server.address('udp'),
      '--user',
      'hal',
      '--password',
      'hal-secret',
      '--http',
      server.address('http'),
    ]);
    try {
      const first = await phone.waitFor((out) => /messages hal: 2 .*\n.*\n.*new\n/.test(out), 20_000);
      assert.ok(first, `no message list:\n${phone.stdout}\n${phone.stderr}`);
      assert.match(
        phone.stdout,
        /mwi hal on new=2 old=0 \(rfc3842\)\nmessages hal: 2 \(EWS http:\/\/[^)]+\/EWS\/Exchange\.asmx\)\n/,
      );
      assert.match(
        phone.stdout,
        / {2}message \d{4}-\d\d-\d\d \d\d:\d\d 5550302 0:03 new\n {2}message [^\n]+ 5550301 0:02 new\n/,
      );
      const r = await fetch(`${base}/api/v1/messages/${ids[1]}`, {
        method: 'PATCH',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ read: true }),
      });
      assert.equal(r.status, 200);
      const second = await phone.waitFor(
        (out) => /new=1 old=1[^]*5550302 0:03 old\n[^\n]+5550301 0:02 new\n/.test(out),
        20_000,
      );
      assert.ok(second, `no second list:\n${phone.stdout}\n${phone.stderr}`);
      assert.equal(phone.stderr, '');
    } finally {
      await phone.stop(5000);
    }
  });
});
