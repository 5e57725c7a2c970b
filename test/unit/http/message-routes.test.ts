import assert from 'node:assert/strict';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { MessageApiError } from '../../../src/http/message-routes.js';
import { makeTempDir, removeTempDir } from '../../support/temp-dir.js';
import { alice, bearer, bob, basic, messagesApp, wav } from './fake-messages.js';

let dir: string;
before(async () => {
  dir = await makeTempDir('http-messages');
});
after(async () => {
  await removeTempDir(dir);
});

const WAV = { 'content-type': 'audio/wav' };
const T0 = Date.UTC(2024, 4, 1, 10, 0, 0);

async function withMessages() {
  const s = messagesApp(dir, { audioBodyLimit: 4096 });
  const older = await s.messages.add('alice', T0, wav(160));
  const newer = await s.messages.add('alice', T0 + 60_000, wav(320), { urgent: true });
  const bobs = await s.messages.add('bob', T0, wav(16));
  return { ...s, older, newer, bobs };
}

describe('messages REST API (CONTRACT.md)', () => {
  test('GET a mailbox lists newest first, with ISO times and audio URLs, and no file paths', async () => {
    const { app, admin, older, newer } = await withMessages();
    for (const headers of [alice, bearer(admin)]) {
      const r = await app.inject({ method: 'GET', url: '/api/v1/mailboxes/alice/messages', headers });
      assert.equal(r.statusCode, 200);
      const body = r.json();
      assert.equal(body.mailbox, 'alice');
      assert.deepEqual(
        body.messages.map((m: { id: string }) => m.id),
        [newer.id, older.id],
      );
      assert.deepEqual(body.messages[1], {
        id: older.id,
        mailbox: 'alice',
        from: '+15551234',
        fromName: 'Bob',
        receivedAt: '2024-05-01T10:00:00.000Z',
        durationMs: 10,
        urgent: false,
        read: false,
        reason: 'busy',
        origin: 'call',
        audioUrl: `/api/v1/messages/${older.id}/audio`,
      });
      assert.ok(!r.body.includes(dir));
    }
    const empty = messagesApp(dir);
    const r = await empty.app.inject({ method: 'GET', url: '/api/v1/mailboxes/bob/messages', headers: bob });
    assert.deepEqual(r.json(), { mailbox: 'bob', messages: [] });
  });

  test('GET, PATCH and DELETE one message', async () => {
    const { app, messages, older } = await withMessages();
    const url = `/api/v1/messages/${older.id}`;
    let r = await app.inject({ method: 'GET', url, headers: alice });
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().id, older.id);
    r = await app.inject({ method: 'PATCH', url, headers: alice, payload: { read: true } });
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().read, true);
    r = await app.inject({ method: 'PATCH', url, headers: alice, payload: { read: false } });
    assert.equal(r.json().read, false);
    r = await app.inject({ method: 'DELETE', url, headers: alice });
    assert.equal(r.statusCode, 204);
    assert.equal(r.body, '');
    for (const method of ['GET', 'DELETE', 'PATCH'] as const) {
      r = await app.inject({ method, url, headers: alice, payload: { read: true } });
      assert.equal(r.statusCode, 404, method);
      assert.equal(r.json().error.code, 'not_found');
    }
    assert.deepEqual(messages.changes, [`read ${older.id} true`, `read ${older.id} false`, `remove ${older.id}`]);
  });

  test('POST deposits a WAV: 201, Location, from and urgent as given', async () => {
    const { app, messages, admin } = await withMessages();
    const cases: [string, string | null, boolean][] = [
      ['', null, false],
      ['?urgent=true&from=%2B4930123', '+4930123', true],
      ['?urgent=1', null, true],
      ['?urgent=0&from=', null, false],
      ['?urgent=false&from=Zo%C3%AB%20%E2%80%93%20Front%20desk', 'Zoë – Front desk', false],
    ];
    for (const [query, from, urgent] of cases) {
      const r = await app.inject({
        method: 'POST',
        url: `/api/v1/mailboxes/bob/messages${query}`,
        headers: { ...bearer(admin), 'content-type': 'audio/x-wav; foo=bar' },
        payload: wav(800),
      });
      assert.equal(r.statusCode, 201, r.body);
      const m = r.json();
      assert.equal(r.headers.location, `/api/v1/messages/${m.id}`);
      assert.deepEqual([m.mailbox, m.from, m.urgent, m.origin, m.read], ['bob', from, urgent, 'api', false]);
      const stored = await app.inject({ method: 'GET', url: m.audioUrl, headers: bob });
      assert.deepEqual(stored.rawPayload, wav(800));
    }
    for (const type of ['audio/wav', 'audio/wave', 'AUDIO/VND.WAVE']) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/mailboxes/alice/messages',
        headers: { ...alice, 'content-type': type },
        payload: wav(10),
      });
      assert.equal(r.statusCode, 201, type);
    }
    assert.equal(messages.changes.length, cases.length + 3);
  });

  test('bad deposits get a 4xx JSON error and change nothing', async () => {
    const { app, messages, admin } = await withMessages();
    const cases: [string, Record<string, string>, Buffer | string, number, string][] = [
      ['nobody', WAV, wav(10), 404, 'not_found'],
      ['alice', { 'content-type': 'text/plain' }, 'hello', 415, 'unsupported_media_type'],
      ['alice', { 'content-type': 'application/json' }, '{"a":1}', 415, 'unsupported_media_type'],
      ['alice', { 'content-type': 'audio/mpeg' }, wav(10), 415, 'unsupported_media_type'],
      ['alice', {}, wav(10), 415, 'unsupported_media_type'],
      ['alice', WAV, Buffer.from('ID3 this is an mp3, not a wav'), 415, 'bad_audio'],
      ['alice', WAV, Buffer.alloc(0), 400, 'bad_request'],
      ['alice', WAV, wav(5000), 413, 'too_large'],
      ['alice?urgent=yes', WAV, wav(10), 400, 'bad_request'],
      ['alice?urgent=1&urgent=0', WAV, wav(10), 400, 'bad_request'],
      [`alice?from=${'x'.repeat(65)}`, WAV, wav(10), 400, 'bad_request'],
      ['alice?from=%1B%5B31mred', WAV, wav(10), 400, 'bad_request'],
      ['alice?from=a%E2%80%AEb', WAV, wav(10), 400, 'bad_request'],
      ['alice?urgnt=1', WAV, wav(10), 400, 'bad_request'],
    ];
    for (const [target, headers, payload, status, code] of cases) {
      const [name, query] = target.split('?');
      const r = await app.inject({
        method: 'POST',
        url: `/api/v1/mailboxes/${name}/messages${query ? `?${query}` : ''}`,
        headers: { ...bearer(admin), ...headers },
        payload,
      });
      assert.equal(r.statusCode, status, `${target} ${JSON.stringify(headers)} -> ${r.body}`);
      assert.equal(r.json().error.code, code, target);
      assert.ok(r.json().error.message.length > 0);
    }
    const ok = await app.inject({
      method: 'POST',
      url: `/api/v1/mailboxes/alice/messages?from=${'x'.repeat(64)}`,
      headers: { ...alice, ...WAV },
      payload: wav(4096 - 44),
    });
    assert.equal(ok.statusCode, 201, 'at the limit, 64 characters');
    assert.deepEqual(messages.changes, ['deposit alice']);
  });

  test("the app's refusals: full mailbox 409, unreadable audio 415, full disk 507", async () => {
    const { app, messages } = await withMessages();
    const cases: [MessageApiError, number, string][] = [
      [new MessageApiError('mailbox-full', 'the mailbox alice is full (100 messages)'), 409, 'mailbox_full'],
      [new MessageApiError('bad-audio', 'unsupported WAV format: 24-bit'), 415, 'bad_audio'],
      [new MessageApiError('storage-full', 'no space left for audio'), 507, 'storage_full'],
      [new MessageApiError('not-found', 'no mailbox alice'), 404, 'not_found'],
    ];
    for (const [error, status, code] of cases) {
      messages.refuse = error;
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/mailboxes/alice/messages',
        headers: { ...alice, ...WAV },
        payload: wav(10),
      });
      assert.equal(r.statusCode, status);
      assert.deepEqual(r.json(), { error: { code, message: error.message } });
    }
    messages.refuse = undefined;
    const r = await app.inject({
      method: 'PUT',
      url: '/api/v1/mailboxes/alice/greetings/busy',
      headers: { ...alice, ...WAV },
      payload: wav(10),
    });
    assert.equal(r.statusCode, 204);
  });

  test('an unexpected failure of the app is a 500 without its details', async () => {
    const { app, messages } = await withMessages();
    messages.refuse = new Error('SQLITE_CORRUPT at /secret/path') as MessageApiError;
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/mailboxes/alice/messages',
      headers: { ...alice, ...WAV },
      payload: wav(10),
    });
    assert.equal(r.statusCode, 500);
    assert.deepEqual(r.json(), { error: { code: 'internal', message: 'internal error' } });
  });

  test('PATCH takes exactly {"read": boolean}', async () => {
    const { app, messages, older } = await withMessages();
    const url = `/api/v1/messages/${older.id}`;
    const bad: [string | undefined, string | undefined][] = [
      ['{"read":"yes"}', 'application/json'],
      ['{"read":1}', 'application/json'],
      ['{"read":true,"urgent":true}', 'application/json'],
      ['{}', 'application/json'],
      ['[true]', 'application/json'],
      ['{"read":tru', 'application/json'],
      ['read=true', 'text/plain'],
      [undefined, undefined],
      [`{"read":true,"pad":"${'x'.repeat(2000)}"}`, 'application/json'],
    ];
    for (const [payload, type] of bad) {
      const r = await app.inject({
        method: 'PATCH',
        url,
        headers: { ...alice, ...(type && { 'content-type': type }) },
        ...(payload !== undefined && { payload }),
      });
      assert.ok(r.statusCode === 400 || r.statusCode === 413, `${payload} -> ${r.statusCode}`);
      assert.ok(r.json().error.code === 'bad_request' || r.json().error.code === 'too_large');
    }
    assert.deepEqual(messages.changes, []);
  });

  test('greetings: PUT each kind; bad kind 404, bad body 4xx', async () => {
    const { app, messages, admin } = await withMessages();
    for (const kind of ['unavailable', 'busy', 'temporary', 'name']) {
      const r = await app.inject({
        method: 'PUT',
        url: `/api/v1/mailboxes/alice/greetings/${kind}`,
        headers: { ...alice, ...WAV },
        payload: wav(100),
      });
      assert.equal(r.statusCode, 204, kind);
      assert.deepEqual(messages.greetings.get(`alice/${kind}`), wav(100));
    }
    const cases: [string, Record<string, string>, Buffer, number, string][] = [
      ['alice/greetings/away', { ...alice, ...WAV }, wav(10), 404, 'not_found'],
      ['nobody/greetings/busy', { ...bearer(admin), ...WAV }, wav(10), 404, 'not_found'],
      ['bob/greetings/busy', { ...alice, ...WAV }, wav(10), 403, 'forbidden'],
      ['alice/greetings/busy', { ...alice, 'content-type': 'audio/ogg' }, wav(10), 415, 'unsupported_media_type'],
      ['alice/greetings/busy', { ...alice, ...WAV }, Buffer.from('not a wav at all'), 415, 'bad_audio'],
      ['alice/greetings/busy', { ...alice, ...WAV }, Buffer.alloc(0), 400, 'bad_request'],
      ['alice/greetings/busy', { ...alice, ...WAV }, wav(5000), 413, 'too_large'],
    ];
    for (const [path, headers, payload, status, code] of cases) {
      const r = await app.inject({ method: 'PUT', url: `/api/v1/mailboxes/${path}`, headers, payload });
      assert.equal(r.statusCode, status, `${path} -> ${r.body}`);
      assert.equal(r.json().error.code, code);
    }
    messages.refuse = new MessageApiError('bad-audio', 'a greeting must be mono');
    const r = await app.inject({
      method: 'PUT',
      url: '/api/v1/mailboxes/alice/greetings/name',
      headers: { ...alice, ...WAV },
      payload: wav(10),
    });
    assert.deepEqual([r.statusCode, r.json().error.message], [415, 'a greeting must be mono']);
    assert.equal(messages.changes.length, 4);
  });
});

describe('messages API: who may do what', () => {
  test('PIN: PUT {"pin"} sets it for the owner (204); not 4-12 digits 400; another mailbox 403', async () => {
    const { app, messages } = await withMessages();
    const put = (path: string, payload: unknown, headers: Record<string, string> = alice) =>
      app.inject({ method: 'PUT', url: `/api/v1/mailboxes/${path}/pin`, headers, payload: payload as object });
    let r = await put('alice', { pin: '2468' });
    assert.equal(r.statusCode, 204, r.body);
    assert.deepEqual(messages.changes, ['pin alice 2468']);
    for (const bad of [
      { pin: '12' },
      { pin: '12a4' },
      { pin: '1234567890123' },
      { pin: 2468 },
      { pin: '2468', x: 1 },
    ]) {
      r = await put('alice', bad);
      assert.equal(r.statusCode, 400, JSON.stringify(bad));
      assert.equal(r.json().error.code, 'bad_request');
    }
    r = await put('bob', { pin: '2468' });
    assert.equal(r.statusCode, 403);
    r = await put('alice', { pin: '2468' }, {});
    assert.equal(r.statusCode, 401);
    assert.equal(messages.changes.length, 1, 'nothing else was set');
  });

  test('no or wrong credentials: 401 with WWW-Authenticate on every route', async () => {
    const { app, older } = await withMessages();
    for (const headers of [{}, basic('alice', 'wrong'), bearer('oum_bogus'), { authorization: 'Digest x' }]) {
      for (const [method, url] of routes(older.id)) {
        const r = await app.inject({ method, url, headers: { ...headers, ...WAV }, payload: wav(10) });
        assert.equal(r.statusCode, 401, `${method} ${url}`);
        assert.equal(r.headers['www-authenticate'], 'Bearer realm="openum", Basic realm="openum"');
        if (method !== 'HEAD') assert.equal(r.json().error.code, 'unauthorized');
      }
    }
  });

  test('an mwi:write token gets 403 everywhere; an admin token may do everything', async () => {
    const { app, mwiToken, admin, bobs, messages } = await withMessages();
    for (const [method, url] of routes(bobs.id)) {
      const r = await app.inject({ method, url, headers: { ...bearer(mwiToken), ...WAV }, payload: wav(10) });
      assert.equal(r.statusCode, 403, `${method} ${url}`);
    }
    assert.deepEqual(messages.changes, []);
    for (const [method, url] of routes(bobs.id)) {
      const r = await app.inject({
        method,
        url,
        headers: { ...bearer(admin), ...(method === 'PATCH' ? {} : WAV) },
        payload: method === 'PATCH' ? { read: true } : wav(10),
      });
      assert.ok(r.statusCode < 300, `${method} ${url} -> ${r.statusCode} ${r.body}`);
    }
  });

  test("a user may not touch another user's mailbox (403) nor see that a message id exists (404)", async () => {
    const { app, bobs, messages } = await withMessages();
    for (const [method, url] of routes(bobs.id)) {
      const r = await app.inject({ method, url, headers: { ...alice, ...WAV }, payload: wav(10) });
      const status = url.includes('/mailboxes/') ? 403 : 404;
      assert.equal(r.statusCode, status, `${method} ${url}`);
      const missing = await app.inject({
        method,
        url: url.replace(bobs.id, 'm999'),
        headers: { ...alice, ...WAV },
        payload: wav(10),
      });
      if (status === 404) assert.equal(missing.body, r.body.replace(bobs.id, 'm999'), 'the same answer as no message');
    }
    messages.asked.length = 0;
    for (const id of ['..%2F..%2Fetc%2Fpasswd', 'a!b', 'a%20b', '%00']) {
      const r = await app.inject({ method: 'GET', url: `/api/v1/messages/${id}`, headers: alice });
      assert.equal(r.statusCode, 404, id);
    }
    assert.deepEqual(messages.asked, [], 'ids no store uses are not looked up');
    assert.deepEqual(messages.changes, []);
    assert.equal(messages.messages.get(bobs.id)?.read, false);
  });
});

describe('messages API: no body is read before the upload is allowed', () => {
  test('over a socket, a 50 MB upload is refused from its headers alone (401, 403, 404, 415)', async () => {
    const { app, mwiToken } = messagesApp(dir);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    try {
      const cases: [Record<string, string>, string, number][] = [
        [{}, 'alice', 401],
        [bearer(mwiToken), 'alice', 403],
        [bob, 'alice', 403],
        [alice, 'nobody', 403],
        [{ ...alice, 'content-type': 'text/plain' }, 'alice', 415],
      ];
      for (const [headers, name, status] of cases) {
        const head = { 'content-type': 'audio/wav', ...headers, 'content-length': String(50 * 1024 * 1024) };
        assert.equal(await statusOfHeadersOnly(port, `/api/v1/mailboxes/${name}/messages`, head), status);
      }
    } finally {
      await app.close();
    }
  });
});

/** Send a POST's headers and no body; the status line's code (rejects after 2 s: the server waited for the body). */
function statusOfHeadersOnly(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${path} before the body`));
    }, 2000);
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(text);
      if (m) {
        clearTimeout(timer);
        socket.destroy();
        resolve(Number(m[1]));
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
    socket.write(`POST ${path} HTTP/1.1\r\nhost: localhost\r\n${lines.join('\r\n')}\r\n\r\n`);
  });
}

/** Every message route with bob's mailbox and message `id`. */
function routes(id: string): ['GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', string][] {
  return [
    ['GET', '/api/v1/mailboxes/bob/messages'],
    ['POST', '/api/v1/mailboxes/bob/messages'],
    ['PUT', '/api/v1/mailboxes/bob/greetings/busy'],
    ['GET', `/api/v1/messages/${id}`],
    ['GET', `/api/v1/messages/${id}/audio`],
    ['HEAD', `/api/v1/messages/${id}/audio`],
    ['PATCH', `/api/v1/messages/${id}`],
    ['DELETE', `/api/v1/messages/${id}`],
  ];
}
