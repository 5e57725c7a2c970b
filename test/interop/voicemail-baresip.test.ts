/**
 * baresip 1.0.0 as people's phones against openum's voicemail (PROTOCOLS.md
 * section 6), both real processes:
 * 1. dan's phone calls carol's mailbox (`target=`, cause 486) with `aufile`
 *    playing a WAV, skips the greeting with `#` (RFC 4733 over ctrl_tcp),
 *    and hangs up when the WAV ends: a message is stored, carol's lamp is on;
 * 2. carol's phone calls the pilot, enters her PIN, presses 1 and hears the
 *    message (its `sndfile` dump of what it heard holds the deposited audio,
 *    correlation > 0.99), then 7 deletes it: the lamp goes out.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startOpenum, type OpenumServer } from '../support/openum-process.js';
import { BARESIP_SERVE_ARGS } from '../support/peer-compat.js';
import { requirePeer } from '../support/peers.js';
import { startBaresip, type BaresipPeer } from '../support/baresip.js';
import { BaresipCtrl } from '../support/baresip-ctrl.js';
import { freePort } from '../support/ports.js';
import { locate, wavSamples } from '../support/audio-match.js';
import { makeTempDir, removeTempDir } from '../support/temp-dir.js';
import { writeWav } from '../../src/media/wav.js';
import { storedMessages } from '../support/stored-messages.js';
import { poll } from '../support/arrivals.js';

const DOMAIN = 'localhost';
const CAROL = { name: 'carol', password: 'carol-secret', extraArgs: ['--extension', '1003', '--pin', '2468'] };
const DAN = { name: 'dan', password: 'dan-secret', extraArgs: [] as string[] };
const RATE = 8000;

/** 4 s that sound like syllables: seeded noise, 200 ms on, 100 ms off (never a long silence). */
function voiceLike(): Int16Array {
  const out = new Int16Array(4 * RATE);
  let seed = 12345;
  let low = 0;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    low = 0.7 * low + 0.3 * ((seed / 0xffffffff) * 2 - 1); // a little low-pass: speech-like spectrum
    const on = i % (0.3 * RATE) < 0.2 * RATE;
    out[i] = on ? Math.round(low * 12000) : 0;
  }
  return out;
}

describe('baresip leaves a message and hears it in the menu', { timeout: 150_000 }, () => {
  let server: OpenumServer | undefined;
  let dir: string | undefined;
  const phones: BaresipPeer[] = [];
  const signal = voiceLike();

  before(async () => {
    dir = await makeTempDir('vm-baresip');
    server = await startOpenum({
      domain: DOMAIN,
      users: [CAROL, DAN],
      extraArgs: [...BARESIP_SERVE_ARGS, '--rtp-ports', '33000-33999'],
    });
  });
  after(async () => {
    for (const p of phones) await p.stop();
    await server?.stop();
    if (dir) await removeTempDir(dir);
  });

  const serverLog = (): string => `--- openum stderr ---\n${server?.process.stderr.slice(-4000) ?? ''}`;

  /** A baresip for `user` with aufile `source`, sndfile and ctrl_tcp; its control connection. */
  async function phone(
    bin: string,
    user: { name: string; password: string },
    source: string,
  ): Promise<{ peer: BaresipPeer; ctrl: BaresipCtrl }> {
    assert.ok(server);
    const ctrlPort = await freePort();
    const peer = await startBaresip(bin, {
      user: user.name,
      password: user.password,
      domain: DOMAIN,
      registrar: server.address('udp'),
      transport: 'udp',
      regint: 0,
      lifetimeS: 60,
      audioSource: `aufile,${source}`,
      audioPlayer: 'aubridge,nil',
      modules: [],
      config: [
        'module g711.so',
        'module aufile.so',
        'module aubridge.so',
        'module sndfile.so',
        'module ctrl_tcp.so',
        `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
      ],
    });
    phones.push(peer);
    return { peer, ctrl: await BaresipCtrl.connect(ctrlPort) };
  }

  const messages = (name: string) => storedMessages(server?.dataDir ?? '', name);

  async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
    const v = await poll(fn, ms, 250);
    return v === undefined ? assert.fail(`${what}\n${serverLog()}`) : v;
  }

  test('deposit from dan, then carol listens (PIN, 1) and deletes (7): she heard the audio, the lamp goes out', async (t) => {
    const bin = requirePeer(t, 'baresip');
    if (!bin || !server || !dir) return;
    // 1. the deposit: 3 s of silence (the greeting is skipped with # meanwhile), then the signal
    const depositWav = join(dir, 'deposit.wav');
    const samples = new Int16Array(3 * RATE + signal.length);
    samples.set(signal, 3 * RATE);
    await writeFile(depositWav, writeWav({ sampleRate: RATE, samples }));
    const dan = await phone(bin, DAN, depositWav);
    dan.ctrl.command('dial', `sip:voicemail@${DOMAIN};target=sip:${CAROL.name}%40${DOMAIN};cause=486`);
    assert.ok(await dan.ctrl.event('CALL_ESTABLISHED', 10_000), `dan's call was answered\n${dan.peer.output()}`);
    await new Promise((r) => setTimeout(r, 500));
    await dan.ctrl.keys('#');
    assert.ok(await dan.ctrl.event('CALL_CLOSED', 20_000), 'dan hung up when his WAV ended');
    dan.ctrl.close();
    const [m] = await until('a message for carol', async () => {
      const list = await messages(CAROL.name);
      return list.length > 0 ? list : undefined;
    });
    assert.ok(m);
    assert.equal(m.callerNumber, 'dan');
    assert.equal(m.reason, 'busy');
    const lampOn = await server.cli(['mwi', 'show', CAROL.name]);
    assert.match(lampOn.stdout, /new=1 old=0/);

    // 2. carol calls the pilot from her own phone: PIN, 1 (listen), then 7 (delete) once it was heard
    const silent = join(dir, 'silence.wav');
    await writeFile(silent, writeWav({ sampleRate: RATE, samples: new Int16Array(60 * RATE) }));
    const carol = await phone(bin, CAROL, silent);
    carol.ctrl.command('dial', `sip:voicemail@${DOMAIN}`);
    assert.ok(await carol.ctrl.event('CALL_ESTABLISHED', 10_000), `carol's call was answered\n${carol.peer.output()}`);
    await new Promise((r) => setTimeout(r, 1000));
    await carol.ctrl.keys('2468#1');
    await until('the message was heard to its end (old)', async () =>
      (await messages(CAROL.name))[0]?.read ? true : undefined,
    );
    await carol.ctrl.keys('7');
    await until('the message was deleted', async () => ((await messages(CAROL.name)).length === 0 ? true : undefined));
    carol.ctrl.command('hangup');
    await carol.ctrl.event('CALL_CLOSED', 5000);
    carol.ctrl.close();
    const lampOff = await server.cli(['mwi', 'show', CAROL.name]);
    assert.match(lampOff.stdout, /new=0 old=0/);
    assert.deepEqual(await readdir(join(server.dataDir, 'audio', CAROL.name)), [], 'the audio went with it');

    // what carol's phone heard holds what dan's phone sent
    const dump = (await readdir(carol.peer.configDir)).find((f) => f.endsWith('-dec.wav'));
    assert.ok(dump, 'sndfile wrote what carol heard');
    const heard = wavSamples(join(carol.peer.configDir, dump)).samples;
    const found = locate(signal, heard);
    assert.ok(found.correlation > 0.99, `correlation ${found.correlation} at ${found.offset / RATE} s`);
  });
});
