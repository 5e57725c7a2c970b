// The calls the page makes: sign-in and the REST API, with the session cookie
// (sent by the browser) and the CSRF token on every state-changing request.

const CSRF_HEADER = 'X-Openum-CSRF';

/** An HTTP failure with the server's JSON error message. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function check(r) {
  if (r.ok) return r.status === 204 ? undefined : r.json();
  let message = `${r.status} ${r.statusText}`;
  try {
    const body = await r.json();
    if (body && body.error && body.error.message) message = body.error.message;
  } catch {
    // not JSON
  }
  throw new ApiError(r.status, message);
}

/** The live session ({user, csrf}) or undefined when signed out. */
export async function currentSession() {
  const r = await fetch('/web/session', { credentials: 'same-origin' });
  return r.status === 401 ? undefined : check(r);
}

export async function signIn(user, password) {
  return check(
    await fetch('/web/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user, password }),
    }),
  );
}

/** The REST API as the signed-in user. */
export class Mailbox {
  constructor(session) {
    this.user = session.user;
    this.csrf = session.csrf;
  }

  async signOut() {
    return check(await fetch('/web/logout', { method: 'POST', headers: { [CSRF_HEADER]: this.csrf } }));
  }

  async list() {
    const body = await check(await fetch(`/api/v1/mailboxes/${encodeURIComponent(this.user)}/messages`));
    return body.messages;
  }

  async setRead(id, read) {
    return check(
      await fetch(`/api/v1/messages/${encodeURIComponent(id)}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', [CSRF_HEADER]: this.csrf },
        body: JSON.stringify({ read }),
      }),
    );
  }

  async remove(id) {
    return check(
      await fetch(`/api/v1/messages/${encodeURIComponent(id)}`, {
        method: 'DELETE',
        headers: { [CSRF_HEADER]: this.csrf },
      }),
    );
  }

  async setPin(pin) {
    return check(
      await fetch(`/api/v1/mailboxes/${encodeURIComponent(this.user)}/pin`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', [CSRF_HEADER]: this.csrf },
        body: JSON.stringify({ pin }),
      }),
    );
  }

  async putGreeting(kind, file) {
    return check(
      await fetch(`/api/v1/mailboxes/${encodeURIComponent(this.user)}/greetings/${encodeURIComponent(kind)}`, {
        method: 'PUT',
        headers: { 'Content-Type': 'audio/wav', [CSRF_HEADER]: this.csrf },
        body: file,
      }),
    );
  }
}
