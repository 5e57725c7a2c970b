/**
 * Prompt files as Asterisk's sound packages ship them (one file per format,
 * named by extension), decoded to openum's internal audio: 16-bit mono PCM
 * at 8 kHz.
 *
 * - `.wav`: RIFF WAVE in any format {@link readWav} reads, any rate
 *   (converted with {@link resample}).
 * - `.sln`, `.sln12` ... `.sln192`: headerless signed 16-bit little-endian
 *   mono ("signed linear") at 8 kHz, or at the rate the suffix names in kHz
 *   (Asterisk's format_sln).
 * - `.ulaw`, `.alaw`: headerless G.711 (ITU-T G.711) at 8 kHz, one byte per
 *   sample (Asterisk's format_pcm).
 */
import { g711DecodeTable } from './g711.js';
import { resample } from './resample.js';
import { readWav } from './wav.js';

/** The rate of all audio inside openum (G.711 calls). */
export const PROMPT_RATE = 8000;

/** File extensions tried for a prompt name, in this order, with the rate of the headerless ones. */
export const PROMPT_EXTENSIONS: readonly string[] = [
  'wav',
  'sln',
  'ulaw',
  'alaw',
  'sln16',
  'sln12',
  'sln24',
  'sln32',
  'sln44',
  'sln48',
  'sln96',
  'sln192',
];

const SLN_RATES: Readonly<Record<string, number>> = {
  sln: 8000,
  sln12: 12000,
  sln16: 16000,
  sln24: 24000,
  sln32: 32000,
  sln44: 44100,
  sln48: 48000,
  sln96: 96000,
  sln192: 192000,
};

/**
 * Decode a prompt file's bytes, chosen by its extension (one of
 * {@link PROMPT_EXTENSIONS}), into 8 kHz samples. Throws `WavError` for a
 * WAV file that cannot be read, `RangeError` for an unknown extension.
 */
export function decodePromptFile(bytes: Buffer, extension: string): Int16Array {
  if (extension === 'wav') {
    const { sampleRate, samples } = readWav(bytes);
    return sampleRate === PROMPT_RATE ? samples : resample(samples, sampleRate, PROMPT_RATE);
  }
  if (extension === 'ulaw' || extension === 'alaw') {
    const table = g711DecodeTable(extension === 'ulaw' ? 'PCMU' : 'PCMA');
    const out = new Int16Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i] as number] as number;
    return out;
  }
  const rate = SLN_RATES[extension];
  if (rate === undefined) throw new RangeError(`prompt file extension .${extension}`);
  const out = new Int16Array(bytes.length >> 1); // an odd trailing byte is dropped
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2);
  return rate === PROMPT_RATE ? out : resample(out, rate, PROMPT_RATE);
}
