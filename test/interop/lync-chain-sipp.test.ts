/**
 * The Exchange UM -> openum -> Lync chain (voicemail counts from the UM to
 * Lync endpoints and standard phones) with real SIPp
 * 3.6.1 processes against the real `openum serve` (PROTOCOLS.md sections 3
 * and 4; the loopback twin is test/scenario/lync-chain.test.ts):
 * - a Lync-style endpoint (TCP) registers and subscribes to
 *   `vnd-microsoft-roaming-self` with `Supported: ms-benotify` ([MS-SIP]
 *   section 3.5, [MS-PRES] section 3.3.5.1), a standard phone (UDP) of the
 *   same user subscribes to `message-summary` (RFC 6665, RFC 3842), both with
 *   MD5 digest;
 * - the Exchange UM NOTIFY of PROTOCOLS.md section 3, verbatim, from the
 *   trusted 127.0.0.2 -> 200; the Lync endpoint gets an unanswered BENOTIFY
 *   with `unreadVoiceMailCount="8" readVoiceMailCount="3"` and
 *   `Require: eventlist`, the phone a NOTIFY with `Voice-Message: 8/3`;
 * - a user whose MWI is off: her SUBSCRIBE gets 403, the UM's NOTIFY for her
 *   gets 403, and her registered phone hears nothing.
 *
 * The server runs with `--domain example.com` so that the UM NOTIFY is the
 * field capture letter for letter.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startOpenum, type OpenumServer } from '../support/openum-process.js';
import { SIPP_SERVE_ARGS } from '../support/peer-compat.js';
import { requirePeer } from '../support/peers.js';
import { runSipp, sippScenario, startSipp, type SippResult, type SippRun } from '../support/sipp.js';

const DOMAIN = 'example.com';
const TRUSTED_IP = '127.0.0.2';
const ALICE = { name: 'alice', password: 'alice-secret' } as const;
const CAROL = { name: 'carol', password: 'carol-secret' } as const;

type User = { readonly name: string; readonly password: string };

/** Metric samples of /metrics as `name{labels}` -> value. */
type Samples = Map<string, number>;

async function scrape(http: string): Promise<Samples> {
  const res = await fetch(`http://${http}/metrics`, { signal: AbortSignal.timeout(5000) });
  assert.equal(res.status, 200, 'GET /metrics');
  const out: Samples = new Map();
  for (const line of (await res.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    out.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return out;
}

/** The samples of the metrics whose name starts with one of `prefixes`. */
function pick(s: Samples, prefixes: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of s) if (prefixes.some((p) => k.startsWith(p))) out[k] = v;
  return out;
}

/** The `<log>` lines starting with `prefix`, runs of spaces collapsed (SIPp keeps the space after a header's colon). */
function lines(log: string, prefix: string): string[] {
  return log
    .split('\n')
    .map((l) => l.replace(/ {2,}/g, ' '))
    .filter((l) => l.startsWith(prefix));
}

describe(
  'SIPp: Exchange UM -> openum -> Lync endpoint (BENOTIFY) and standard phone (NOTIFY)',
  { timeout: 120_000 },
  () => {
    let server: OpenumServer | undefined;
    const background: SippRun[] = [];

    before(async () => {
      server = await startOpenum({
        domain: DOMAIN,
        users: [
          { ...ALICE, extraArgs: ['--domain', DOMAIN] },
          { ...CAROL, extraArgs: ['--domain', DOMAIN, '--mwi', 'off'] },
        ],
        extraArgs: [...SIPP_SERVE_ARGS, '--trust', `${TRUSTED_IP}/32`],
      });
    });
    /** Stop every background SIPp still running (a failed test must not leak into the next one). */
    async function settle(): Promise<void> {
      for (const run of background.splice(0)) {
        await run.process.stop(1000);
        await run.finish();
      }
    }
    afterEach(settle);
    after(async () => {
      await settle();
      await server?.stop();
    });

    const serverLog = (): string => `--- openum stderr ---\n${server?.process.stderr.slice(-6000) ?? ''}`;

    /** Start a SIPp client in the background and wait for its READY line. */
    async function startReady(sipp: string, what: string, opts: Parameters<typeof startSipp>[1]): Promise<SippRun> {
      const run = await startSipp(sipp, opts);
      background.push(run);
      if (!(await run.waitForLog(/^READY$/m, 10_000))) {
        await run.process.stop(1000);
        const r = await run.finish();
        assert.fail(`${what} did not get ready\n${r.describe()}\n${serverLog()}`);
      }
      return run;
    }

    function subscriber(
      sipp: string,
      scenario: string,
      user: User,
      transport: 'udp' | 'tcp',
      extra: Partial<Parameters<typeof startSipp>[1]> = {},
    ): Promise<SippRun> {
      assert.ok(server);
      return startReady(sipp, `${scenario} for ${user.name}`, {
        scenario: sippScenario(scenario),
        target: server.address(transport),
        transport,
        users: [user],
        authUri: `${user.name}@${DOMAIN}`,
        keys: { domain: DOMAIN, expires: '600' },
        timeoutS: 40,
        ...extra,
      });
    }

    /** The Exchange UM NOTIFY (8 new / 3 old) for `user`, over TCP from the trusted address. */
    function umNotify(sipp: string, user: string): Promise<SippResult> {
      assert.ok(server);
      return runSipp(sipp, {
        scenario: sippScenario('lync-um-notify.xml'),
        target: server.address('tcp'),
        transport: 'tcp',
        localIp: TRUSTED_IP,
        keys: { domain: DOMAIN, user },
        timeoutS: 15,
      });
    }

    test('UM NOTIFY 8/3 from a trusted peer -> 200; BENOTIFY unreadVoiceMailCount="8" readVoiceMailCount="3" to the Lync endpoint, Voice-Message: 8/3 to the phone', async (t) => {
      const sipp = requirePeer(t, 'sipp');
      if (!sipp || !server) return;

      const [lync, phone] = await Promise.all([
        subscriber(sipp, 'lync-endpoint.xml', ALICE, 'tcp', {
          outOfCallScenario: sippScenario('lync-endpoint-ooc.xml'),
        }),
        subscriber(sipp, 'lync-phone.xml', ALICE, 'udp'),
      ]);
      // both dialogs exist on the server before the UM speaks
      const before = await scrape(server.address('http'));
      assert.equal(before.get('openum_subscriptions_active'), 2, `subscriptions before the UM NOTIFY\n${serverLog()}`);

      const um = await umNotify(sipp, ALICE.name);
      // the endpoints end by themselves: at once when a check fails, after their receive timeout when nothing comes
      const [l, p] = await Promise.all([lync.finish(), phone.finish()]);

      const umWhy = `${um.describe()}\n${serverLog()}`;
      assert.equal(um.code, 0, umWhy);
      assert.match(um.actionLog, /^OUTCOME SIP\/2\.0 200 /m, umWhy);
      // the capture letter for letter (PROTOCOLS.md section 3)
      assert.match(um.messageLog, /NOTIFY sip:alice@example\.com SIP\/2\.0\r?\n/, umWhy);
      assert.match(
        um.messageLog,
        /From: <sip:alice@example\.com>;epid=EDDFA7F3EE;tag=f03dc3ff8\r?\nTo: <sip:alice@example\.com>\r?\n/,
        umWhy,
      );
      assert.match(
        um.messageLog,
        /Messages-Waiting: yes\r?\nMessage-Account: sip:alice@example\.com\r?\nVoice-Message: 8\/3/,
        umWhy,
      );

      const lWhy = `${l.describe()}\n${serverLog()}`;
      const pWhy = `${p.describe()}\n${serverLog()}`;
      assert.equal(l.code, 0, lWhy);
      assert.equal(p.code, 0, pWhy);

      // the Lync endpoint: 200 with Supported: ms-benotify, a first BENOTIFY, then exactly one with 8/3
      assert.match(l.actionLog, /^REGISTERED$/m, lWhy);
      assert.match(l.actionLog, /^SUBSCRIBED supported=ms-benotify expires=600 target=sip:\S+$/m, lWhy);
      const first = lines(l.actionLog, 'FIRST ');
      assert.equal(first.length, 1, lWhy);
      assert.match(first[0] ?? '', /^FIRST vnd-microsoft-roaming-self active;expires=\d+ \| /, lWhy);
      assert.match(
        first[0] ?? '',
        /<category name="mwi" instance="0" publishTime="[^"]+" container="1" version="0" expireType="static">/,
        lWhy,
      );
      assert.match(
        first[0] ?? '',
        /<mwi [^>]*messageWaiting="false" unreadVoiceMailCount="0" readVoiceMailCount="0"/,
        lWhy,
      );
      const changed = lines(l.actionLog, 'CHANGED ');
      assert.equal(changed.length, 1, lWhy);
      const c = changed[0] ?? '';
      assert.match(
        c,
        /^CHANGED vnd-microsoft-roaming-self \| Require: eventlist \| active;expires=\d+ \| application\/vnd-microsoft-roaming-self\+xml \| unreadVoiceMailCount="8" readVoiceMailCount="3" \| /,
        lWhy,
      );
      assert.match(
        c,
        /<category name="mwi" instance="0" publishTime="[^"]+" container="1" version="1" expireType="static">/,
        lWhy,
      );
      assert.match(
        c,
        /<mwi xmlns="http:\/\/schemas\.microsoft\.com\/2006\/09\/sip\/mwi" messageWaiting="true" unreadVoiceMailCount="8" readVoiceMailCount="3"\/?>/,
        lWhy,
      );
      assert.match(l.actionLog, /^QUIET$/m, `no second BENOTIFY (BENOTIFY is never retransmitted)\n${lWhy}`);
      assert.doesNotMatch(l.actionLog, /^DUPLICATE$/m, lWhy);
      assert.match(l.actionLog, /^FINAL terminated/m, lWhy);
      assert.match(l.actionLog, /^UNREGISTERED$/m, lWhy);
      // no BENOTIFY was answered: the only responses the endpoint sent are to stray NOTIFYs
      const answered = [
        ...l.messageLog.matchAll(/message sent[^\n]*\n+SIP\/2\.0 [^\n]*\n(?:[^\n]+\n)*?CSeq: *\d+ (\S+)/g),
      ].map((m) => m[1]);
      assert.ok(
        answered.every((method) => method === 'NOTIFY'),
        `the Lync endpoint answered ${answered.join(', ')}\n${lWhy}`,
      );
      assert.match(
        l.messageLog,
        /message received[^\n]*\n+BENOTIFY sip:alice@127\.0\.0\.1:\d+;transport=tcp SIP\/2\.0/i,
        lWhy,
      );
      // The registration itself earns the current state as an unsolicited message-summary NOTIFY
      // (PROTOCOLS.md section 2), which may land before the SUBSCRIBE; once subscribed to
      // roaming-self, the endpoint is covered and gets no unsolicited NOTIFY for the change.
      const [beforeReady, afterReady] = l.actionLog.split(/^READY$/m);
      const strays = lines(beforeReady ?? '', 'STRAY ');
      for (const s of strays)
        assert.match(s, /^STRAY message-summary \| terminated;reason=noresource \| Voice-Message: 0\/0/, lWhy);
      assert.deepEqual(
        lines(afterReady ?? '', 'STRAY '),
        [],
        `an unsolicited NOTIFY reached the subscribed Lync endpoint\n${lWhy}`,
      );
      assert.doesNotMatch(l.errorLog, /can't be mapped|Discarding/i, lWhy);
      t.diagnostic(
        `unsolicited NOTIFYs to the Lync endpoint before it subscribed: ${strays.length === 0 ? 'none' : strays.join(' ; ')}`,
      );

      // the standard phone: the initial state, then exactly the 8/3 NOTIFY
      const expiresN = (s: string): string => s.replace(/expires=\d+/, 'expires=N');
      assert.deepEqual(
        lines(p.actionLog, 'INITIAL ').map(expiresN),
        ['INITIAL active;expires=N | Messages-Waiting: no | Voice-Message: 0/0'],
        pWhy,
      );
      assert.deepEqual(
        lines(p.actionLog, 'CHANGED ').map(expiresN),
        ['CHANGED message-summary active;expires=N | Messages-Waiting: yes | Voice-Message: 8/3'],
        pWhy,
      );
      assert.match(p.actionLog, /^FINAL terminated/m, pWhy);
      assert.doesNotMatch(p.errorLog, /can't be mapped|Discarding/i, pWhy);
    });

    test('a user with MWI off: her SUBSCRIBE -> 403, the UM NOTIFY for her -> 403, her registered phone hears nothing', async (t) => {
      const sipp = requirePeer(t, 'sipp');
      if (!sipp || !server) return;
      const http = server.address('http');

      const carol = await subscriber(sipp, 'lync-carol-phone.xml', CAROL, 'udp', {
        outOfCallScenario: sippScenario('lync-carol-ooc.xml'),
      });
      const watched = ['openum_notify_total', 'openum_unsolicited_notify_total', 'openum_mwi_updates_total'];
      const before = pick(await scrape(http), watched);

      const um = await umNotify(sipp, CAROL.name);
      const umWhy = `${um.describe()}\n${serverLog()}`;
      assert.equal(um.code, 0, umWhy);
      assert.match(um.actionLog, /^OUTCOME SIP\/2\.0 403 .*message waiting indication is off/m, umWhy);
      assert.doesNotMatch(
        await carol.actionLogNow(),
        /^QUIET$/m,
        'the UM NOTIFY came after the phone had stopped listening: the check below would prove nothing',
      );

      const r = await carol.finish();
      const why = `${r.describe()}\n${serverLog()}`;
      assert.equal(r.code, 0, why);
      assert.match(r.actionLog, /^REGISTERED$/m, why);
      assert.match(r.actionLog, /^REFUSED SIP\/2\.0 403 /m, why);
      assert.deepEqual(lines(r.actionLog, 'HEARD '), [], why);
      assert.match(r.actionLog, /^QUIET$/m, why);
      assert.match(r.actionLog, /^UNREGISTERED$/m, why);
      assert.doesNotMatch(r.errorLog, /can't be mapped|Discarding/i, why);
      // nothing changed and nothing was sent to anyone
      assert.deepEqual(pick(await scrape(http), watched), before, serverLog());
    });
  },
);
