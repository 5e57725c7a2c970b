/**
 * Two EWS clients nobody here wrote, against a real `openum serve`:
 * ews-javascript-api (npm; Autodiscover SOAP first) over Basic and over NTLM
 * (as Lync Phone Edition authenticates), and python3-exchangelib 4.9
 * (Debian) over Basic.
 * Each lists the voice mail folder (counts that agree with the lamp), reads
 * the newest message and its WAV attachment, marks it read and deletes the
 * oldest; the mailbox's lamp (the REST API's view of the same store) moves
 * with them. A missing exchangelib skips its test with the reason (a failure
 * under OPENUM_REQUIRE_INTEROP=1).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeWav } from '../../src/media/wav.js';
import { runProcess } from '../support/child-process.js';
import { repoRoot, startOpenum, type OpenumServer } from '../support/openum-process.js';
import { interopRequired } from '../support/peers.js';
import { ewsJsCycle } from './ews/ews-js-cycle.js';

const PY = '/usr/bin/python3'; // Debian's, where python3-exchangelib installs (not a pyenv python)

async function deposit(base: string, auth: string, box: string, from: string, seconds: number): Promise<void> {
  const wav = writeWav({ sampleRate: 8000, samples: new Int16Array(seconds * 8000).fill(2000) });
  const r = await fetch(`${base}/api/v1/mailboxes/${box}/messages?from=${from}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'audio/wav' },
    body: wav,
  });
  assert.equal(r.status, 201, await r.text());
}

async function lamp(base: string, auth: string, box: string): Promise<{ unread: number; total: number }> {
  const r = await fetch(`${base}/api/v1/mailboxes/${box}/messages`, { headers: { authorization: auth } });
  const body = (await r.json()) as { messages: { read: boolean }[] };
  return { unread: body.messages.filter((m) => !m.read).length, total: body.messages.length };
}

describe('EWS clients against openum (Basic, NTLM)', { timeout: 120_000 }, () => {
  let server: OpenumServer | undefined;
  const erin = { name: 'erin', password: 'erin-secret' };
  const ida = { name: 'ida', password: 'ida-secret' };
  const users = [erin, { name: 'gus', password: 'gus-secret' }, ida];
  before(async () => {
    server = await startOpenum({ users, extraArgs: ['--rtp-ports', '35200-35299'] });
  });
  after(async () => {
    await server?.stop();
  });

  for (const [scheme, who] of [
    ['Basic', erin],
    ['NTLM', ida],
  ] as const) {
    test(`ews-javascript-api over ${scheme}: autodiscover, bind, find (0x6801/0x6802), bind, attachment, mark read, delete`, async () => {
      assert.ok(server);
      const base = `http://${server.address('http')}`;
      const auth = `Basic ${Buffer.from(`${who.name}:${who.password}`).toString('base64')}`;
      await deposit(base, auth, who.name, '5550101', 2);
      await deposit(base, auth, who.name, '5550102', 3);
      const r = await ewsJsCycle(base, `${who.name}@example.com`, who.name, who.password, scheme === 'NTLM');
      assert.equal(r.ewsUrl, `${base}/EWS/Exchange.asmx`, 'from Autodiscover');
      assert.deepEqual(r.folder, { name: 'Voice Mail', total: 2, unread: 2 });
      assert.deepEqual(
        r.items.map((i) => [i.caller, i.durationS, i.read]),
        [
          ['5550102', 3, false],
          ['5550101', 2, false],
        ],
      );
      assert.match(r.items[0]?.subject ?? '', /^Voice Mail from 5550102/);
      assert.deepEqual(r.attachment, {
        name: 'voicemail.wav',
        type: 'audio/wav',
        bytes: 44 + 3 * 8000 * 2,
        riff: 'RIFF',
      });
      assert.equal(r.unreadAfterRead, 1);
      assert.equal(r.totalAfterDelete, 1);
      assert.deepEqual(await lamp(base, auth, who.name), { unread: 0, total: 1 }, 'the store (and so the lamp) moved');
    });
  }

  test('python3-exchangelib 4.9: voice_mail listed, item and attachment read, marked read, deleted', async (t) => {
    assert.ok(server);
    const probe = await runProcess(PY, ['-c', 'import exchangelib'], { timeoutMs: 20_000 });
    if (probe.code !== 0) {
      const reason = 'python3-exchangelib not installed (apt-get install python3-exchangelib)';
      if (interopRequired()) throw new Error(`${reason}; OPENUM_REQUIRE_INTEROP=1 makes this a failure`);
      t.skip(reason);
      return;
    }
    const base = `http://${server.address('http')}`;
    const auth = `Basic ${Buffer.from('gus:gus-secret').toString('base64')}`;
    await deposit(base, auth, 'gus', '5550201', 2);
    await deposit(base, auth, 'gus', '5550202', 2);
    const script = join(repoRoot(), 'test', 'interop', 'ews', 'exchangelib-cycle.py');
    const run = await runProcess(
      PY,
      [script, `${base}/EWS/Exchange.asmx`, 'gus', 'gus-secret', 'example.com', 'cycle'],
      { timeoutMs: 60_000 },
    );
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    const out = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as {
      total: number;
      unread: number;
      items: { subject: string; is_read: boolean; item_class: string }[];
      attachment: { name: string; content_type: string; bytes: number; riff: string };
      unread_after_read: number;
      total_after_delete: number;
    };
    assert.equal(out.total, 2);
    assert.equal(out.unread, 2);
    assert.deepEqual(
      out.items.map((i) => [i.item_class, i.is_read]),
      [
        ['IPM.Note.Microsoft.Voicemail.UM.CA', false],
        ['IPM.Note.Microsoft.Voicemail.UM.CA', false],
      ],
    );
    assert.deepEqual(out.attachment, { name: 'voicemail.wav', content_type: 'audio/wav', bytes: 32044, riff: 'RIFF' });
    assert.equal(out.unread_after_read, 1);
    assert.equal(out.total_after_delete, 1);
    assert.deepEqual(await lamp(base, auth, 'gus'), { unread: 0, total: 1 });
  });

  test('bad input: not XML and a DOCTYPE are SOAP faults, another user is refused, no credentials is 401', async () => {
    assert.ok(server);
    const url = `http://${server.address('http')}/EWS/Exchange.asmx`;
    const auth = `Basic ${Buffer.from('erin:erin-secret').toString('base64')}`;
    const post = (body: string, a = auth): Promise<Response> =>
      fetch(url, { method: 'POST', headers: { authorization: a, 'content-type': 'text/xml' }, body });
    let r = await post('<soap:Envelope');
    assert.equal(r.status, 500);
    assert.match(await r.text(), /<faultstring[^>]*>not well-formed XML/);
    r = await post('<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>');
    assert.equal(r.status, 500);
    assert.match(await r.text(), /document type declarations are not accepted/);
    r = await post(
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>' +
        '<m:CreateItem xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"/></s:Body></s:Envelope>',
    );
    assert.equal(r.status, 500);
    assert.match(await r.text(), /CreateItem: openum's EWS supports GetFolder/);
    r = await post(
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" ' +
        'xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" ' +
        'xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><s:Body>' +
        '<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds>' +
        '<t:DistinguishedFolderId Id="voicemail"><t:Mailbox><t:EmailAddress>gus@example.com</t:EmailAddress></t:Mailbox>' +
        '</t:DistinguishedFolderId></m:FolderIds></m:GetFolder></s:Body></s:Envelope>',
    );
    assert.equal(r.status, 200);
    assert.match(await r.text(), /ResponseClass="Error".*<m:ResponseCode>ErrorAccessDenied</s);
    r = await post('<x/>', '');
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate') ?? '', /Basic/);
    r = await post('<x/>', `Basic ${Buffer.from('erin:wrong').toString('base64')}`);
    assert.equal(r.status, 401);
  });
});
