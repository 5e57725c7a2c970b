import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { g711EncodeTable } from '../../../src/media/g711.js';
import { findBuiltInPromptDir } from '../../../src/media/prompt-builtin-dir.js';
import { beepTone, concat, PromptError, PromptLibrary, silence } from '../../../src/media/prompt-library.js';
import { writeWav } from '../../../src/media/wav.js';

/** The repository root: this file is compiled to dist/test/unit/media/. */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const scratch = mkdtempSync(join(tmpdir(), 'openum-prompts-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function sine(rate: number, hz: number, n: number, amplitude = 10000): Int16Array {
  return Int16Array.from({ length: n }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate)));
}

function peak(x: Int16Array): number {
  let m = 0;
  for (const v of x) m = Math.max(m, Math.abs(v));
  return m;
}

function operatorDir(files: Record<string, Buffer>): string {
  const dir = mkdtempSync(join(scratch, 'op-'));
  for (const [name, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  return dir;
}

describe('the built-in prompt folder', () => {
  test('is found from the compiled module: the repository root prompts/en', () => {
    const dir = findBuiltInPromptDir();
    assert.equal(dir, join(repo, 'prompts', 'en'));
    assert.ok(existsSync(join(dir, 'vm-intro.wav')));
    assert.deepEqual(new PromptLibrary().dirs, [dir]);
  });

  test('is found at any depth below an openum package (dist, src, node_modules), and not elsewhere', () => {
    const root = join(scratch, 'node_modules', 'openum');
    mkdirSync(join(root, 'prompts', 'en'), { recursive: true });
    mkdirSync(join(root, 'dist', 'src', 'media'), { recursive: true });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'openum' }));
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'someone-else' }));
    const at = (...p: string[]): string => pathToFileURL(join(root, ...p, 'prompt-library.js')).href;
    assert.equal(findBuiltInPromptDir(at('dist', 'src', 'media')), join(root, 'prompts', 'en'));
    assert.equal(findBuiltInPromptDir(at('src', 'media')), join(root, 'prompts', 'en'));
    assert.equal(findBuiltInPromptDir(at('dist', 'src', 'media'), 'fr'), undefined); // no prompts/fr
    assert.equal(findBuiltInPromptDir(pathToFileURL(join(scratch, 'lib', 'x.js')).href), undefined);
  });
});

describe('PromptLibrary', () => {
  test('every prompt texts.tsv names is there as an 8 kHz 16-bit WAV of speech', async () => {
    const dir = join(repo, 'prompts', 'en');
    const names = readFileSync(join(dir, 'texts.tsv'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split('\t')[0] as string);
    assert.ok(names.length > 100);
    const lib = new PromptLibrary({ builtIn: dir });
    for (const name of names) {
      const wav = readFileSync(join(dir, `${name}.wav`));
      assert.equal(wav.readUInt32LE(24), 8000, name);
      assert.equal(wav.readUInt16LE(34), 16, name);
      const samples = await lib.get(name);
      assert.ok(samples.length > 1000 && samples.length < 20 * 8000, `${name}: ${samples.length} samples`);
    }
  });

  test('built-in prompts load as 8 kHz audio', async () => {
    const lib = new PromptLibrary();
    const intro = await lib.get('vm-intro');
    assert.ok(intro.length > 2 * 8000 && intro.length < 10 * 8000, `${intro.length} samples`);
    assert.ok(peak(intro) > 16000); // normalised to -3 dBFS
    assert.ok((await lib.get('digits/5')).length > 1000);
  });

  test("the operator's folder comes first, any WAV rate is converted, missing names fall back to the built-in set", async () => {
    const dir = operatorDir({ 'vm-intro.wav': writeWav({ sampleRate: 16000, samples: sine(16000, 1000, 16000) }) });
    const lib = new PromptLibrary({ dirs: [dir] });
    assert.equal(lib.dirs[0], dir);
    const intro = await lib.get('vm-intro');
    assert.equal(intro.length, 8000); // one second at 8 kHz
    assert.ok(Math.abs(peak(intro.subarray(400, 7600)) - 10000) < 100); // the edges ring
    assert.ok((await lib.get('digits/7')).length > 1000); // from prompts/en
  });

  test('raw .sln, .sln16, .ulaw and .alaw files as Asterisk ships them', async () => {
    const ramp = Int16Array.from({ length: 80 }, (_, i) => i * 100 - 4000);
    const sln = Buffer.alloc(160);
    ramp.forEach((v, i) => sln.writeInt16LE(v, i * 2));
    const tone16 = sine(16000, 500, 1600);
    const sln16 = Buffer.alloc(3200);
    tone16.forEach((v, i) => sln16.writeInt16LE(v, i * 2));
    const mu = g711EncodeTable('PCMU');
    const a = g711EncodeTable('PCMA');
    const dir = operatorDir({
      'a.sln': sln,
      'digits/b.sln16': sln16,
      'c.ulaw': Buffer.from(Array.from(ramp, (v) => mu[v + 32768] as number)),
      'd.alaw': Buffer.from(Array.from(ramp, (v) => a[v + 32768] as number)),
    });
    const lib = new PromptLibrary({ dirs: [dir], builtIn: false });
    assert.deepEqual(await lib.get('a'), ramp);
    assert.equal((await lib.get('digits/b')).length, 800);
    for (const name of ['c', 'd']) {
      const got = await lib.get(name);
      assert.equal(got.length, 80);
      // G.711 keeps about 4 significant bits plus the segment: error under 1/16 of the value
      got.forEach((v, i) =>
        assert.ok(Math.abs(v - (ramp[i] as number)) <= Math.abs(v) / 16 + 16, `${name}[${i}] ${v}`),
      );
    }
  });

  test('a name found nowhere, a name that is no prompt name, a file that does not decode: PromptError', async () => {
    const dir = operatorDir({ 'broken.wav': Buffer.from('RIFF....WAVEjunk') });
    const lib = new PromptLibrary({ dirs: [dir] });
    await assert.rejects(lib.get('vm-no-such-prompt'), (e) => {
      assert.ok(e instanceof PromptError);
      assert.equal(e.code, 'not-found');
      assert.equal(e.prompt, 'vm-no-such-prompt');
      assert.deepEqual(e.dirs, lib.dirs);
      assert.match(e.message, /vm-no-such-prompt/);
      return true;
    });
    for (const bad of ['../package', '/etc/passwd', 'digits/../../x', 'vm-intro.wav', '', 'a//b']) {
      await assert.rejects(lib.get(bad), (e) => e instanceof PromptError && e.code === 'bad-name', bad);
    }
    await assert.rejects(lib.get('broken'), (e) => e instanceof PromptError && e.code === 'unreadable');
    assert.equal(await lib.has('vm-no-such-prompt'), false);
    assert.equal(await lib.has('vm-goodbye'), true);
  });

  test('beep is generated unless a folder has one', async () => {
    const generated = await new PromptLibrary({ builtIn: false }).get('beep');
    assert.deepEqual(generated, beepTone());
    const mine = sine(8000, 440, 400);
    const dir = operatorDir({ 'beep.wav': writeWav({ sampleRate: 8000, samples: mine }) });
    assert.deepEqual(await new PromptLibrary({ dirs: [dir] }).get('beep'), mine);
  });

  test('the cache returns the same samples, shares a load in flight, and drops the least recently used', async () => {
    const lib = new PromptLibrary();
    const [a, b] = await Promise.all([lib.get('vm-goodbye'), lib.get('vm-goodbye')]);
    assert.equal(a, b);
    assert.equal(await lib.get('vm-goodbye'), a);
    lib.clear();
    assert.notEqual(await lib.get('vm-goodbye'), a);

    const small = new PromptLibrary({ maxCachedSamples: 12000 });
    const one = await small.get('digits/1'); // each digit is well under 6000 samples
    const two = await small.get('digits/2');
    assert.equal(await small.get('digits/1'), one); // digits/1 is now the most recently used
    await small.get('vm-goodbye');
    await small.get('digits/3');
    assert.notEqual(await small.get('digits/2'), two); // dropped: loaded anew
  });

  test('sequence concatenates prompts into a fresh buffer', async () => {
    const lib = new PromptLibrary();
    const [you, two] = [await lib.get('vm-youhave'), await lib.get('digits/2')];
    const both = await lib.sequence(['vm-youhave', 'digits/2']);
    assert.equal(both.length, you.length + two.length);
    assert.deepEqual(both.subarray(you.length), two);
  });
});

describe('silence, concat, beepTone', () => {
  test('silence is 8 samples a millisecond of zeros', () => {
    assert.equal(silence(20).length, 160);
    assert.equal(silence(0).length, 0);
    assert.ok(silence(1000).every((v) => v === 0));
  });

  test('concat joins in order', () => {
    assert.deepEqual(concat([Int16Array.of(1, 2), new Int16Array(0), Int16Array.of(3)]), Int16Array.of(1, 2, 3));
    assert.equal(concat([]).length, 0);
  });

  test('the beep: 250 ms of 1 kHz at -6 dBFS, ramped in and out', () => {
    const beep = beepTone();
    assert.equal(beep.length, 2000);
    const top = peak(beep);
    assert.ok(Math.abs(20 * Math.log10(top / 32767) + 6) < 0.1, `peak ${top}`);
    assert.ok(Math.abs(beep[0] as number) < 100 && Math.abs(beep[1999] as number) < 400);
    // 1 kHz at 8 kHz repeats every 8 samples
    for (let i = 100; i < 1900; i++) assert.ok(Math.abs((beep[i] as number) - (beep[i + 8] as number)) <= 1);
    let crossings = 0;
    for (let i = 1; i < beep.length; i++) if ((beep[i - 1] as number) < 0 && (beep[i] as number) >= 0) crossings++;
    assert.ok(Math.abs(crossings - 250) <= 1);
  });
});
