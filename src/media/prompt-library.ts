/**
 * Prompts by name (`vm-intro`, `digits/5`), as Asterisk names its sounds:
 * looked up in a list of folders in order (the operator's `--prompts` first,
 * then openum's built-in `prompts/en`), as `NAME.wav`, `NAME.sln`,
 * `NAME.ulaw`, `NAME.alaw` or `NAME.slnNN` (see prompt-decode.ts), decoded
 * once to 8 kHz 16-bit mono and kept in a cache bounded by samples. `beep`
 * is generated unless a folder has one. Plus the small helpers a call flow
 * needs to build what it plays: {@link silence}, {@link concat},
 * {@link beepTone}.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CodedError } from '../base/coded-error.js';
import { findBuiltInPromptDir } from './prompt-builtin-dir.js';
import { decodePromptFile, PROMPT_EXTENSIONS, PROMPT_RATE } from './prompt-decode.js';

export { PROMPT_RATE } from './prompt-decode.js';

/** Why a prompt could not be had: no such file anywhere, a name that is not a prompt name, a file that does not decode. */
export type PromptErrorCode = 'not-found' | 'bad-name' | 'unreadable';

/** A prompt that cannot be played, with the name asked for and the folders searched. */
export class PromptError extends CodedError<PromptErrorCode> {
  constructor(
    code: PromptErrorCode,
    readonly prompt: string,
    readonly dirs: readonly string[],
    message: string,
  ) {
    super(code, message);
    this.name = 'PromptError';
  }
}

export interface PromptLibraryOptions {
  /** Folders searched first, in order (the operator's `--prompts DIR`). */
  dirs?: readonly string[];
  /** The folder searched last: default openum's `prompts/en`; `false` for none. */
  builtIn?: string | false;
  /** Decoded samples kept in the cache before the least recently used prompt is dropped (default 4,000,000: 8 minutes, 8 MB). */
  maxCachedSamples?: number;
}

/** Segments of letters, digits, `_`, `+` and `-` joined by `/`: no `..`, no absolute path, no extension. */
const NAME = /^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/;

/** Prompts by name from a list of folders, decoded to 8 kHz and cached. */
export class PromptLibrary {
  /** The folders searched, in order. */
  readonly dirs: readonly string[];
  private readonly maxCached: number;
  /** Least recently used first (a Map keeps insertion order; a hit moves its entry to the end). */
  private readonly cache = new Map<string, Int16Array>();
  private cachedSamples = 0;
  private readonly loading = new Map<string, Promise<Int16Array>>();

  constructor(opts: PromptLibraryOptions = {}) {
    const builtIn = opts.builtIn === undefined ? findBuiltInPromptDir() : opts.builtIn || undefined;
    this.dirs = [...(opts.dirs ?? []), ...(builtIn ? [builtIn] : [])];
    this.maxCached = opts.maxCachedSamples ?? 4_000_000;
  }

  /**
   * The samples of a prompt (8 kHz, 16-bit mono). Shared with the cache:
   * do not modify them. Rejects with {@link PromptError}.
   */
  async get(name: string): Promise<Int16Array> {
    const hit = this.cache.get(name);
    if (hit) {
      this.cache.delete(name);
      this.cache.set(name, hit);
      return hit;
    }
    let pending = this.loading.get(name);
    if (!pending) {
      pending = this.load(name).finally(() => this.loading.delete(name));
      this.loading.set(name, pending);
    }
    return pending;
  }

  /** Whether {@link get} would find the prompt (it loads it, so the cache keeps it). */
  async has(name: string): Promise<boolean> {
    try {
      await this.get(name);
      return true;
    } catch (e) {
      if (e instanceof PromptError && e.code === 'not-found') return false;
      throw e;
    }
  }

  /** The prompts one after another, as one buffer (a fresh one, free to modify). */
  async sequence(names: readonly string[]): Promise<Int16Array> {
    return concat(await Promise.all(names.map((n) => this.get(n))));
  }

  /** Forget every decoded prompt (after the operator replaced files). */
  clear(): void {
    this.cache.clear();
    this.cachedSamples = 0;
  }

  private async load(name: string): Promise<Int16Array> {
    if (!NAME.test(name))
      throw new PromptError('bad-name', name, this.dirs, `not a prompt name: ${JSON.stringify(name)}`);
    const samples = (await this.read(name)) ?? (name === 'beep' ? beepTone() : undefined);
    if (!samples) {
      throw new PromptError(
        'not-found',
        name,
        this.dirs,
        `no prompt ${name} (.${PROMPT_EXTENSIONS.join('/.')}) in ${this.dirs.join(', ') || 'no folder'}`,
      );
    }
    this.remember(name, samples);
    return samples;
  }

  private async read(name: string): Promise<Int16Array | undefined> {
    for (const dir of this.dirs) {
      for (const ext of PROMPT_EXTENSIONS) {
        const path = join(dir, `${name}.${ext}`);
        let bytes: Buffer;
        try {
          bytes = await readFile(path);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') continue;
          throw new PromptError('unreadable', name, this.dirs, `${path}: ${(e as Error).message}`);
        }
        try {
          return decodePromptFile(bytes, ext);
        } catch (e) {
          throw new PromptError('unreadable', name, this.dirs, `${path}: ${(e as Error).message}`);
        }
      }
    }
    return undefined;
  }

  private remember(name: string, samples: Int16Array): void {
    if (samples.length > this.maxCached) return;
    this.cache.set(name, samples);
    this.cachedSamples += samples.length;
    for (const [oldest, s] of this.cache) {
      if (this.cachedSamples <= this.maxCached) break;
      this.cache.delete(oldest);
      this.cachedSamples -= s.length;
    }
  }
}

/** `ms` milliseconds of digital silence at 8 kHz. */
export function silence(ms: number): Int16Array {
  return new Int16Array(Math.max(0, Math.round((ms * PROMPT_RATE) / 1000)));
}

/** The parts one after another in one new buffer. */
export function concat(parts: readonly Int16Array[]): Int16Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Int16Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * The record tone: a sine (default 1 kHz, as Asterisk's beep, 250 ms,
 * peak -6 dBFS) at 8 kHz with raised-cosine ramps at both ends so it does
 * not click.
 */
export function beepTone(hz = 1000, ms = 250, peakDbfs = -6, rampMs = 5): Int16Array {
  const out = silence(ms);
  const amplitude = 32767 * 10 ** (peakDbfs / 20);
  const ramp = Math.min(Math.round((rampMs * PROMPT_RATE) / 1000), out.length >> 1);
  for (let i = 0; i < out.length; i++) {
    const edge = Math.min(i, out.length - 1 - i);
    const gain = edge < ramp ? 0.5 - 0.5 * Math.cos((Math.PI * edge) / ramp) : 1;
    out[i] = Math.round(amplitude * gain * Math.sin((2 * Math.PI * hz * i) / PROMPT_RATE));
  }
  return out;
}
