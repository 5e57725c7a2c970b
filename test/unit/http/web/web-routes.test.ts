import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { apiCredentials } from '../../../../src/app/http-wiring.js';
import { addUser } from '../../../../src/app/user-commands.js';
import { FakeClock } from '../../../../src/base/clock.js';
import { buildHttpApp, type LampWatch, type WebLamp } from '../../../../src/http/http-app.js';
import { PING_MS } from '../../../../src/http/web/lamp-events.js';
import { SqliteStorage } from '../../../../src/storage/sqlite/sqlite-storage.js';
import { makeTempDir, removeTempDir } from '../../../support/temp-dir.js';
import { FakeMessages, wav } from '../fake-messages.js';

let dir: string;
before(async () => {
  dir = await makeTempDir('http-web');
});
after(async () => {
  await removeTempDir(dir);
});

/** Lamps the test moves by hand. */
class FakeLamps implements LampWatch {
  readonly lamps = new Map<string, WebLamp>();
  readonly listeners = new Map<string, Set<(l: WebLamp) => void>>();
  get(mailbox: string): WebLamp {
    return this.lamps.get(mailbox) ?? { new: 0, old: 0, urgentNew: 0, urgentOld: 0, version: 0 };
  }
  watch(mailbox: string, l: (lamp: WebLamp) => void): () => void {
    const set = this.listeners.get(mailbox) ?? new Set();
    this.listeners.set(mailbox, set);
    set.add(l);
    return () => set.delete(l);
  }
  set(mailbox: string, lamp: WebLamp): void {
    this.lamps.set(mailbox, lamp);
    for (const l of this.listeners.get(mailbox) ?? []) l(lamp);
  }
  watching(mailbox: string): number {
    return this.listeners.get(mailbox)?.size ?? 0;
  }
}

function webApp() {
  const storage = new SqliteStorage(':memory:');
  addUser(storage, { name: 'alice', password: 'secret', domain: 'localhost' });
  addUser(storage, { name: 'bob', password: 'hunter22', domain: 'localhost' });
  const messages = new FakeMessages(dir, ['alice', 'bob']);
  const clock = new FakeClock(1_000_000);
  const lamps = new FakeLamps();
  const app = buildHttpApp({
    version: 't',
    health: () => ({}),
    messages,
    credentials: apiCredentials(storage),
    lamps,
    clock,
    webSessionIdleMs: 600_000,
  });
  return { app, messages, clock, lamps };
}

type App = ReturnType<typeof webApp>['app'];

async function login(app: App, user = 'alice', password = 'secret', remoteAddress = '127.0.0.1') {
  const r = await app.inject({ method: 'POST', url: '/web/login', payload: { user, password }, remoteAddress });
  const setCookie = String(r.headers['set-cookie'] ?? '');
  return { r, cookie: setCookie.split(';')[0] ?? '', setCookie, csrf: r.statusCode === 200 ? r.json().csrf : '' };
}

describe('web inbox sign-in and sessions (issue 10 section 2)', () => {
  test('sign in: a session cookie (HttpOnly, SameSite=Strict, Path=/) and a CSRF token; GET /web/session gives them back', async () => {
    const { app } = webApp();
    const { r, cookie, setCookie, csrf } = await login(app);
    assert.equal(r.statusCode, 200);
    assert.match(setCookie, /^openum_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    assert.equal(r.json().user, 'alice');
    assert.match(csrf, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(r.headers['cache-control'], 'no-store');
    const s = await app.inject({ method: 'GET', url: '/web/session', headers: { cookie } });
    assert.deepEqual(s.json(), { user: 'alice', csrf });
    const none = await app.inject({ method: 'GET', url: '/web/session' });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().error.code, 'unauthorized');
  });

  test('a wrong password or unknown user is a 401 JSON error without a cookie; a malformed body a 400', async () => {
    const { app } = webApp();
    for (const [user, password] of [
      ['alice', 'wrong'],
      ['nobody', 'secret'],
      ['alice', 'hunter22'],
    ] as const) {
      const { r } = await login(app, user, password);
      assert.equal(r.statusCode, 401);
      assert.equal(r.json().error.code, 'unauthorized');
      assert.equal(r.headers['set-cookie'], undefined);
    }
    const bad = await app.inject({ method: 'POST', url: '/web/login', payload: { user: 'alice' } });
    assert.equal(bad.statusCode, 400);
    const form = await app.inject({
      method: 'POST',
      url: '/web/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'user=alice&password=secret',
    });
    assert.equal(form.statusCode, 415, 'a cross-site form cannot sign anybody in');
  });

  test('ten failed sign-ins per address in a minute: the next attempt is a 429, even with the right password', async () => {
    const { app, clock } = webApp();
    for (let i = 0; i < 10; i++) assert.equal((await login(app, 'alice', `wrong${i}`, '10.0.0.9')).r.statusCode, 401);
    const blocked = await login(app, 'alice', 'secret', '10.0.0.9');
    assert.equal(blocked.r.statusCode, 429);
    assert.equal(blocked.r.json().error.code, 'too_many_requests');
    assert.equal(blocked.r.headers['retry-after'], '60');
    assert.equal((await login(app, 'alice', 'secret', '10.0.0.8')).r.statusCode, 200, 'another address may');
    clock.advance(60_000);
    assert.equal((await login(app, 'alice', 'secret', '10.0.0.9')).r.statusCode, 200);
  });

  test('the cookie is the mailbox owner for GET (list, audio with Range); PATCH/DELETE/PUT need the CSRF header', async () => {
    const { app, messages } = webApp();
    const m = await messages.add('alice', 1_700_000_000_000, wav(320));
    const bobs = await messages.add('bob', 1_700_000_000_000, wav(16));
    const { cookie, csrf } = await login(app);
    let r = await app.inject({ method: 'GET', url: '/api/v1/mailboxes/alice/messages', headers: { cookie } });
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().messages[0].id, m.id);
    r = await app.inject({ method: 'GET', url: '/api/v1/mailboxes/bob/messages', headers: { cookie } });
    assert.equal(r.statusCode, 403);
    r = await app.inject({ method: 'GET', url: `/api/v1/messages/${bobs.id}`, headers: { cookie } });
    assert.equal(r.statusCode, 404);
    r = await app.inject({
      method: 'GET',
      url: `/api/v1/messages/${m.id}/audio`,
      headers: { cookie, range: 'bytes=0-3' },
    });
    assert.equal(r.statusCode, 206);
    assert.equal(r.body, 'RIFF');

    const url = `/api/v1/messages/${m.id}`;
    for (const headers of [{ cookie }, { cookie, 'x-openum-csrf': 'x'.repeat(43) }, { cookie, 'x-openum-csrf': '' }]) {
      r = await app.inject({ method: 'PATCH', url, headers, payload: { read: true } });
      assert.equal(r.statusCode, 403);
      assert.equal(r.json().error.code, 'csrf');
      r = await app.inject({ method: 'DELETE', url, headers });
      assert.equal(r.statusCode, 403);
      r = await app.inject({
        method: 'PUT',
        url: '/api/v1/mailboxes/alice/greetings/unavailable',
        headers: { ...headers, 'content-type': 'audio/wav' },
        payload: wav(16),
      });
      assert.equal(r.statusCode, 403);
    }
    assert.deepEqual(messages.changes, [], 'nothing changed without the token');

    const ok = { cookie, 'x-openum-csrf': csrf };
    r = await app.inject({ method: 'PATCH', url, headers: ok, payload: { read: true } });
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().read, true);
    r = await app.inject({
      method: 'PUT',
      url: '/api/v1/mailboxes/alice/greetings/unavailable',
      headers: { ...ok, 'content-type': 'audio/wav' },
      payload: wav(16),
    });
    assert.equal(r.statusCode, 204);
    r = await app.inject({ method: 'DELETE', url, headers: ok });
    assert.equal(r.statusCode, 204);
    assert.deepEqual(messages.changes, [`read ${m.id} true`, 'greeting alice unavailable', `remove ${m.id}`]);

    const bogus = await app.inject({
      method: 'GET',
      url: '/api/v1/mailboxes/alice/messages',
      headers: { cookie: 'openum_session=nope' },
    });
    assert.equal(bogus.statusCode, 401);
  });

  test('logout needs the CSRF token, ends the session and clears the cookie; the session also ends when idle', async () => {
    const { app, clock } = webApp();
    const { cookie, csrf } = await login(app);
    let r = await app.inject({ method: 'POST', url: '/web/logout', headers: { cookie } });
    assert.equal(r.statusCode, 403);
    assert.equal((await app.inject({ method: 'GET', url: '/web/session', headers: { cookie } })).statusCode, 200);
    r = await app.inject({ method: 'POST', url: '/web/logout', headers: { cookie, 'x-openum-csrf': csrf } });
    assert.equal(r.statusCode, 204);
    assert.match(String(r.headers['set-cookie']), /^openum_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0$/);
    assert.equal((await app.inject({ method: 'GET', url: '/web/session', headers: { cookie } })).statusCode, 401);
    r = await app.inject({ method: 'GET', url: '/api/v1/mailboxes/alice/messages', headers: { cookie } });
    assert.equal(r.statusCode, 401);

    const again = await login(app);
    clock.advance(600_000);
    r = await app.inject({ method: 'GET', url: '/web/session', headers: { cookie: again.cookie } });
    assert.equal(r.statusCode, 401);
  });

  test('GET / is the page, with a CSP of default-src self; preact and htm come from node_modules', async () => {
    const { app } = webApp();
    const r = await app.inject({ method: 'GET', url: '/' });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /^text\/html/);
    assert.match(String(r.headers['content-security-policy']), /^default-src 'self'/);
    assert.match(r.body, /<script type="module" src="\/web\/app.js"><\/script>/);
    assert.doesNotMatch(r.body, /<script>|<script type="module">|style=/, 'no inline script or style');
    for (const url of ['/web/app.js', '/web/vendor/preact.js', '/web/vendor/htm.js']) {
      const f = await app.inject({ method: 'GET', url });
      assert.equal(f.statusCode, 200, url);
      assert.match(String(f.headers['content-type']), /^text\/javascript/);
    }
    assert.match((await app.inject({ method: 'GET', url: '/web/vendor/preact.js' })).body, /export\s*\{/);
    for (const url of ['/web/../package.json', '/web/vendor/../../package.json', '/web/nothing.js']) {
      assert.equal((await app.inject({ method: 'GET', url })).statusCode, 404, url);
    }
  });
});

/** Read a server-sent event stream as text, chunk by chunk. */
class EventReader {
  text = '';
  ended = false;
  private wake: (() => void) | undefined;
  constructor(readonly res: IncomingMessage) {
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      this.text += c;
      this.wake?.();
    });
    res.on('end', () => {
      this.ended = true;
      this.wake?.();
    });
  }
  /** Resolves once the text so far satisfies `ok` (the test's own timeout bounds it). */
  async until(ok: (text: string, ended: boolean) => boolean): Promise<string> {
    while (!ok(this.text, this.ended)) await new Promise<void>((r) => (this.wake = r));
    return this.text;
  }
}

function openEvents(port: number, cookie: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/web/events', headers: { cookie } }, resolve);
    req.on('error', reject);
    req.end();
  });
}

describe('GET /web/events (server-sent events)', { timeout: 20_000 }, () => {
  test('the lamp on connect and on every change, a ping every 25 s, and the end with the session', async () => {
    const { app, lamps, clock } = webApp();
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const port = (app.server.address() as AddressInfo).port;
      lamps.set('alice', { new: 1, old: 2, urgentNew: 0, urgentOld: 0, version: 5 });
      const { cookie, csrf } = await login(app);
      const none = await openEvents(port, 'openum_session=nope');
      assert.equal(none.statusCode, 401);
      none.resume();

      const res = await openEvents(port, cookie);
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/event-stream/);
      const events = new EventReader(res);
      await events.until((t) => t.includes('\n\n'));
      assert.equal(
        events.text,
        'retry: 3000\nevent: lamp\ndata: {"new":1,"old":2,"urgentNew":0,"urgentOld":0,"version":5}\n\n',
      );
      lamps.set('bob', { new: 7, old: 0, urgentNew: 0, urgentOld: 0, version: 9 });
      lamps.set('alice', { new: 0, old: 3, urgentNew: 0, urgentOld: 0, version: 6 });
      await events.until((t) => t.includes('"version":6'));
      assert.doesNotMatch(events.text, /"new":7/, "another mailbox's lamp is not sent");
      assert.equal(lamps.watching('alice'), 1);

      clock.advance(PING_MS);
      await events.until((t) => t.endsWith(': ping\n\n'));

      const r = await app.inject({ method: 'POST', url: '/web/logout', headers: { cookie, 'x-openum-csrf': csrf } });
      assert.equal(r.statusCode, 204);
      await events.until((_t, ended) => ended);
      assert.equal(lamps.watching('alice'), 0, 'the watch ends with the stream');
    } finally {
      await app.close();
    }
  });

  test('an idle-expired session ends its stream at the next ping; closing the app ends open streams', async () => {
    const { app, lamps, clock } = webApp();
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const a = await login(app);
    const events = new EventReader(await openEvents(port, a.cookie));
    await events.until((t) => t.includes('\n\n'));
    clock.advance(600_000);
    await events.until((_t, ended) => ended);
    assert.match(events.text, /: ping\n\n$/, 'the pings did not keep the session alive');

    const b = await login(app);
    const open = new EventReader(await openEvents(port, b.cookie));
    await open.until((t) => t.includes('\n\n'));
    await app.close();
    await open.until((_t, ended) => ended);
    assert.equal(lamps.watching('alice'), 0);
  });
});
