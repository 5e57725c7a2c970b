/**
 * A scripted call for the voicemail flows: prompts are named arrays, keys
 * and recordings come from a script, and every verb is logged.
 */
import { HangUp, readDigits, type CallIo, type Pcm, type Recording } from '../../src/voicemail/call-io.js';
import type { PromptSource } from '../../src/voicemail/flow-ports.js';

const names = new WeakMap<Pcm, string>();

/** Prompts whose arrays remember their names (1 sample each, or `ms` long silence). */
export function fakePrompts(): PromptSource {
  const make = (name: string, n = 1): Pcm => {
    const a = new Int16Array(n);
    names.set(a, name);
    return a;
  };
  return { get: async (name) => make(name), beep: async () => make('beep') };
}

/** A step of the caller's script: a key pressed at the next prompt or wait, a recording, or a hang-up. */
/** `at`: the key is pressed only while something whose log name starts with it plays (`audio`, `vm-intro`). */
export type Step = { key: string; at?: string } | { record: Recording } | { hangup: true };

export class FakeCall implements CallIo {
  readonly log: string[] = [];
  ended = false;
  private readonly keys: string[] = [];

  constructor(private readonly script: Step[]) {}

  private next(): Step | undefined {
    return this.script.shift();
  }

  private checkHangup(): void {
    const s = this.script[0];
    if (s && 'hangup' in s) {
      this.script.shift();
      this.ended = true;
    }
    if (this.ended) throw new HangUp();
  }

  async play(pcm: Pcm, interruptBy?: string): Promise<string | undefined> {
    this.checkHangup();
    const name = names.get(pcm) ?? `audio(${pcm.length})`;
    this.log.push(`play:${name}`);
    const s = this.script[0];
    if (interruptBy && s && 'key' in s && interruptBy.includes(s.key) && (!s.at || name.startsWith(s.at))) {
      this.script.shift();
      return s.key;
    }
    return undefined;
  }

  async digit(_timeoutMs: number): Promise<string | undefined> {
    if (this.keys.length > 0) return this.keys.shift();
    this.checkHangup();
    const s = this.script[0];
    if (s && 'key' in s) {
      this.script.shift();
      this.log.push(`key:${s.key}`);
      return s.key;
    }
    this.log.push('timeout');
    return undefined;
  }

  digits(max: number, timeoutMs: number): Promise<string> {
    return readDigits((t) => this.digit(t), max, timeoutMs);
  }

  flushDigits(): void {
    this.keys.length = 0;
  }

  async record(): Promise<Recording> {
    const s = this.next();
    if (s && 'record' in s) {
      this.log.push(`record:${s.record.end}:${s.record.pcm.length}`);
      if (s.record.end === 'hangup') this.ended = true;
      return s.record;
    }
    this.ended = true;
    this.log.push('record:hangup:0');
    return { pcm: new Int16Array(0), end: 'hangup' };
  }

  hangUp(): void {
    if (!this.ended) this.log.push('bye');
    this.ended = true;
  }
}
