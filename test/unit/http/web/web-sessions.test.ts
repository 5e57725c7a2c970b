import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LoginThrottle } from '../../../../src/http/web/login-throttle.js';
import { readSessionCookie, sessionCookie } from '../../../../src/http/web/session-cookie.js';
import { WebSessions, sameToken } from '../../../../src/http/web/web-sessions.js';

describe('web sessions (issue 10 section 2)', () => {
  test('a session has a 256-bit id and CSRF token, and ends after its idle time', () => {
    let now = 1000;
    const s = new WebSessions(() => now, 60_000);
    const { id, session } = s.create('alice');
    assert.equal(Buffer.from(id, 'base64url').length, 32);
    assert.equal(Buffer.from(session.csrf, 'base64url').length, 32);
    assert.notEqual(id, session.csrf);
    now += 59_999;
    assert.equal(s.get(id)?.user, 'alice', 'a request restarts the idle time');
    now += 59_999;
    assert.equal(s.get(id)?.user, 'alice');
    now += 60_000;
    assert.equal(s.get(id), undefined);
    assert.equal(s.size, 0);
    assert.equal(s.get('not-a-session'), undefined);
    assert.equal(s.get(undefined), undefined);
  });

  test('ending a session runs its listeners once; a removed listener does not run', () => {
    const s = new WebSessions(() => 0);
    const { id } = s.create('alice');
    const other = s.create('alice');
    const calls: string[] = [];
    s.onEnd(id, () => calls.push('a'));
    const remove = s.onEnd(id, () => calls.push('b'));
    s.onEnd(other.id, () => calls.push('other'));
    remove();
    assert.equal(s.end(id), true);
    assert.equal(s.end(id), false);
    assert.deepEqual(calls, ['a']);
    assert.equal(s.get(id), undefined);
    assert.equal(s.get(other.id)?.user, 'alice');
    s.onEnd(id, () => calls.push('late'));
    assert.deepEqual(calls, ['a', 'late'], 'a listener on an ended session runs at once');
  });

  test('tokens compare exactly', () => {
    assert.equal(sameToken('abc', 'abc'), true);
    assert.equal(sameToken('abc', 'abd'), false);
    assert.equal(sameToken('abc', 'ab'), false);
    assert.equal(sameToken('abc', undefined), false);
  });

  test('the cookie: HttpOnly, SameSite=Strict, Path=/, Secure only over https; read back from a Cookie header', () => {
    assert.equal(sessionCookie('X', false), 'openum_session=X; Path=/; HttpOnly; SameSite=Strict');
    assert.equal(sessionCookie('X', true), 'openum_session=X; Path=/; HttpOnly; SameSite=Strict; Secure');
    assert.equal(readSessionCookie('a=1; openum_session=abc-_; b=2'), 'abc-_');
    assert.equal(readSessionCookie('openum_session_x=1'), undefined);
    assert.equal(readSessionCookie('openum_session='), undefined);
    assert.equal(readSessionCookie(undefined), undefined);
  });
});

describe('login throttle', () => {
  test('ten failures per address within a minute block that address until the oldest leaves the window', () => {
    let now = 0;
    const t = new LoginThrottle(() => now);
    for (let i = 0; i < 9; i++) {
      t.failed('10.0.0.1');
      now += 1000;
    }
    assert.equal(t.retryAfter('10.0.0.1'), 0);
    t.failed('10.0.0.1');
    assert.equal(t.retryAfter('10.0.0.1'), 51, 'the first failure (t=0) leaves the window at t=60 s');
    assert.equal(t.retryAfter('10.0.0.2'), 0, 'other addresses are not affected');
    now = 60_000;
    assert.equal(t.retryAfter('10.0.0.1'), 0);
    t.failed('10.0.0.1');
    assert.equal(t.retryAfter('10.0.0.1'), 1);
  });
});
