/**
 * The web inbox (issue 10 sections 2 and 4) in a real browser: Debian's
 * Chromium driven by playwright-core (never a downloaded browser) against a
 * real `openum serve`. Sign in through the page; a message deposited through
 * the REST API appears without a reload (server-sent events), plays to its
 * `ended` event (the audio element's Range requests answered 206), is marked
 * read (the page's lamp and the REST API's read flag and MWI counts follow)
 * and deleted after the confirmation dialog; signing out shows the form
 * again. No inline script runs and no CSP violation is reported. With
 * OPENUM_UPDATE_SCREENSHOTS=1 the inbox's screenshot is written to
 * docs/web-inbox.png (the README shows it).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { writeWav } from '../../src/media/wav.js';
import { repoRoot, startOpenum, type OpenumServer } from '../support/openum-process.js';
import { requirePeer } from '../support/peers.js';
import { makeTempDir, removeTempDir } from '../support/temp-dir.js';

const USER = { name: 'dora', password: 'dora-secret' };
const AUTH = `Basic ${Buffer.from(`${USER.name}:${USER.password}`).toString('base64')}`;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--autoplay-policy=no-user-gesture-required',
];

/** The little of the DOM the page functions below use (the tests compile without lib "dom"). */
declare const document: {
  querySelector(selector: string): { textContent: string | null } | null;
  querySelectorAll(selector: string): { length: number };
};
interface AudioElement {
  duration: number;
  error: { code: number } | null;
  addEventListener(type: string, listener: () => void): void;
  play(): Promise<void>;
}

interface ApiMessage {
  id: string;
  read: boolean;
  audioUrl: string;
}

async function deposit(base: string, from: string, seconds: number, urgent: boolean): Promise<ApiMessage> {
  const samples = new Int16Array(seconds * 8000);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(3000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
  const r = await fetch(`${base}/api/v1/mailboxes/${USER.name}/messages?from=${from}&urgent=${String(urgent)}`, {
    method: 'POST',
    headers: { authorization: AUTH, 'content-type': 'audio/wav' },
    body: writeWav({ sampleRate: 8000, samples }),
  });
  const text = await r.text();
  assert.equal(r.status, 201, text);
  return JSON.parse(text) as ApiMessage;
}

async function api<T>(base: string, path: string): Promise<{ status: number; body: T }> {
  const r = await fetch(`${base}${path}`, { headers: { authorization: AUTH } });
  return { status: r.status, body: (await r.json()) as T };
}

/** Wait until the element's text is exactly `text` (the page updates on its own: no reload). */
async function waitText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(([sel, want]) => document.querySelector(sel ?? '')?.textContent?.trim() === want, [
    selector,
    text,
  ] as const);
}

async function waitCount(page: Page, selector: string, n: number): Promise<void> {
  await page.waitForFunction(([sel, want]) => document.querySelectorAll(sel).length === want, [selector, n] as const);
}

describe('web inbox in Chromium (issue 10 section 4)', { timeout: 180_000 }, () => {
  let server: OpenumServer | undefined;
  let browser: Browser | undefined;
  let shots: string | undefined;

  before(async () => {
    shots = await makeTempDir('web-inbox');
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    if (shots) await removeTempDir(shots);
  });

  test('sign in, a deposit appears live, play to the end, mark read, delete, sign out', async (t) => {
    const executablePath = requirePeer(t, 'chromium');
    if (!executablePath) return;
    server = await startOpenum({ users: [USER], extraArgs: ['--rtp-ports', '35400-35499'] });
    const base = `http://${server.address('http')}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    // A phone-sized screen: the page is one column without fixed widths.
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    page.setDefaultTimeout(30_000);
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`${m.text()} ${m.location().url}`);
    });
    page.on('pageerror', (e) => problems.push(e.message));
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    const audioStatuses: number[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('/audio')) audioStatuses.push(r.status());
      if (r.status() === 404) problems.push(`404 ${r.url()}`);
    });

    // Sign in: a wrong password first, then the right one (keyboard only: Enter submits).
    await page.goto(`${base}/`);
    await page.getByLabel('User name').fill(USER.name);
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitText(page, '[role=alert]', 'wrong user name or password');
    await page.getByLabel('Password').fill(USER.password);
    await page.getByLabel('Password').press('Enter');
    await waitText(page, '#lamp .lamp-text', '0 new, 0 old');
    await waitText(page, '.empty', 'No messages.');

    // Deposits through the REST API appear without a reload.
    const first = await deposit(base, '5550123', 1, false);
    await waitCount(page, 'li.message', 1);
    await waitText(page, '#lamp .lamp-text', '1 new, 0 old');
    const second = await deposit(base, '5550199', 1, true);
    await waitCount(page, 'li.message', 2);
    await waitText(page, '#lamp .lamp-text', '2 new (1 urgent), 0 old');
    const item = page.locator(`li.message[data-id="${second.id}"]`);
    assert.equal(await item.getAttribute('class'), 'message unread');
    assert.match((await item.locator('.caller').textContent()) ?? '', /5550199\s*Urgent/);
    assert.equal(await item.locator('audio').getAttribute('preload'), 'none');
    assert.equal(await item.getByRole('link', { name: 'Download' }).getAttribute('href'), second.audioUrl);

    // Play it until the audio element fires `ended`.
    const ended = await item.locator('audio').evaluate(
      (a: AudioElement) =>
        new Promise<number>((resolve, reject) => {
          a.addEventListener('ended', () => resolve(a.duration));
          a.addEventListener('error', () => reject(new Error(`audio error ${String(a.error?.code)}`)));
          void a.play().catch(reject);
        }),
    );
    assert.ok(Math.abs(ended - 1) < 0.05, `played ${ended} s of a 1 s message`);
    assert.ok(audioStatuses.includes(206), `the browser's Range request got 206 (saw ${audioStatuses.join(',')})`);

    // Mark read: the lamp in the page and the REST API's read flag and MWI counts follow.
    await item.getByRole('button', { name: 'Mark read' }).click();
    await waitText(page, '#lamp .lamp-text', '1 new, 1 old');
    await item.getByRole('button', { name: 'Mark unread' }).waitFor();
    assert.equal(await item.getAttribute('class'), 'message');
    assert.equal((await api<ApiMessage>(base, `/api/v1/messages/${second.id}`)).body.read, true);
    const mwi = await api<{ new: number; old: number }>(base, `/api/v1/mailboxes/${USER.name}/mwi`);
    assert.deepEqual([mwi.body.new, mwi.body.old], [1, 1]);

    const shot =
      process.env['OPENUM_UPDATE_SCREENSHOTS'] === '1'
        ? join(repoRoot(), 'docs', 'web-inbox.png')
        : join(shots!, 'inbox.png');
    await page.screenshot({ path: shot, fullPage: true });

    // Delete, after accepting the confirmation.
    await item.getByRole('button', { name: 'Delete' }).click();
    await waitCount(page, 'li.message', 1);
    await waitText(page, '#lamp .lamp-text', '1 new, 0 old');
    assert.deepEqual(dialogs, ['Delete the message from 5550199?']);
    assert.equal((await api<unknown>(base, `/api/v1/messages/${second.id}`)).status, 404);
    assert.equal(await page.locator(`li.message[data-id="${first.id}"]`).count(), 1);

    // Upload a greeting (a WAV file through the file input -> PUT greetings/busy).
    await page.getByLabel('Which greeting').selectOption('busy');
    await page.getByLabel('WAV file').setInputFiles({
      name: 'busy.wav',
      mimeType: 'audio/wav',
      buffer: writeWav({ sampleRate: 8000, samples: new Int16Array(8000) }),
    });
    await page.getByRole('button', { name: 'Upload greeting' }).click();
    await waitText(page, '.greeting [role=status]', 'Greeting saved.');

    // Change the phone PIN: typed twice; a mismatch is refused in the page, then `user list` shows it set.
    assert.match((await server.cli(['user', 'list'])).stdout, /dora .*pin=none/);
    await page.getByLabel('New PIN', { exact: true }).fill('2468');
    await page.getByLabel('New PIN again').fill('2469');
    await page.getByRole('button', { name: 'Change PIN' }).click();
    await waitText(page, '.pin [role=status]', 'The two PINs differ.');
    await page.getByLabel('New PIN again').fill('2468');
    await page.getByRole('button', { name: 'Change PIN' }).click();
    await waitText(page, '.pin [role=status]', 'PIN changed.');
    assert.match((await server.cli(['user', 'list'])).stdout, /dora .*pin=set/);

    // Sign out: the form again, and the session no longer opens the API.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('User name').waitFor();
    const after = await page.evaluate(async () => (await fetch('/api/v1/mailboxes/dora/messages')).status);
    assert.equal(after, 401);

    const unexpected = problems.filter((p) => !/401 \(Unauthorized\)/.test(p));
    assert.deepEqual(unexpected, [], 'no script errors and no CSP violations');
  });
});
