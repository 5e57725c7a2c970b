/**
 * Reading what the SIPp scenarios of bench/mwi/scenarios/ log (-trace_logs)
 * and SIPp's -trace_stat CSV. Times are epoch seconds (gettimeofday in
 * both SIPp processes, as in the anchor's analyze.py).
 */
import { open, readFile } from 'node:fs/promises';

/** Linear-interpolated percentile, as the anchor's analyze.py `pct`. NaN for no data. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const k = ((s.length - 1) * p) / 100;
  const f = Math.floor(k);
  const c = Math.min(f + 1, s.length - 1);
  return (s[f] as number) + ((s[c] as number) - (s[f] as number)) * (k - f);
}

/** SIPp prints variables as "%lf": "1795675059.000000" "814665.000000" -> seconds. */
function time(sec: string | undefined, usec: string | undefined): number {
  return Math.trunc(Number(sec)) + Math.trunc(Number(usec)) / 1e6;
}

/** Reads the complete lines appended to a file since the last call. */
export class LogTail {
  private offset = 0;
  private rest = '';

  constructor(private readonly path: string) {}

  async lines(): Promise<string[]> {
    let fh;
    try {
      fh = await open(this.path, 'r');
    } catch {
      return [];
    }
    try {
      const { size } = await fh.stat();
      if (size <= this.offset) return [];
      const buf = Buffer.alloc(size - this.offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
      this.offset += bytesRead;
      const text = this.rest + buf.subarray(0, bytesRead).toString('latin1');
      const cut = text.lastIndexOf('\n');
      this.rest = text.slice(cut + 1);
      return cut < 0 ? [] : text.slice(0, cut).split('\n');
    } finally {
      await fh.close();
    }
  }
}

/** A NOTIFY the sink answered: when it arrived, the update send time it carries (NaN if none), its dialog. */
export interface NotifyRecord {
  recv: number;
  sent: number;
  callId: string;
}

/** `LAT <rs> <rus> Voice-Message: <s>/<us> <call-id>` (notify_uas.xml). */
export function parseLat(line: string): NotifyRecord | undefined {
  if (!line.startsWith('LAT ')) return undefined;
  const f = line.split(' ').filter((s) => s !== '');
  const recv = time(f[1], f[2]);
  if (f[3] === 'Voice-Message:') {
    const [s, us] = (f[4] ?? '').split('/');
    return { recv, sent: Number(s) + Number(us) / 1e6, callId: f[5] ?? '' };
  }
  return { recv, sent: Number.NaN, callId: f[3] ?? '' };
}

/** A completed client transaction of an update scenario: request sent, 200 received. */
export interface Exchange {
  sent: number;
  recv: number;
}

/** `SUBLAT <s> <us> <rs> <rus>` (subscribe*.xml). */
export function parseSublat(line: string): Exchange | undefined {
  if (!line.startsWith('SUBLAT ')) return undefined;
  const f = line.split(' ');
  return { sent: time(f[1], f[2]), recv: time(f[3], f[4]) };
}

/** `ETAG <user>;<etag> [<s> <us> <rs> <rus>]` (publish*.xml) or `UPD <user> <s> <us> <rs> <rus>` (notify_in.xml). */
export function parseUpdate(line: string): { user: string; etag?: string; x?: Exchange } | undefined {
  const f = line.split(' ');
  if (f[0] === 'ETAG') {
    const [user = '', etag = ''] = (f[1] ?? '').split(';');
    return f.length >= 6 ? { user, etag, x: { sent: time(f[2], f[3]), recv: time(f[4], f[5]) } } : { user, etag };
  }
  if (f[0] === 'UPD') return { user: f[1] ?? '', x: { sent: time(f[2], f[3]), recv: time(f[4], f[5]) } };
  return undefined;
}

/** The last line of a SIPp -trace_stat CSV as column -> value (empty map when missing). */
export async function lastStats(file: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return new Map();
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const head = (lines[0] ?? '').split(';');
  const last = (lines[lines.length - 1] ?? '').split(';');
  return new Map(head.map((h, i) => [h, last[i] ?? '']));
}

/** SuccessfulCall(C) / FailedCall(C) / Retransmissions(C) of a stat file. */
export async function callCounts(file: string): Promise<{ ok: number; failed: number; retrans: number }> {
  const s = await lastStats(file);
  const n = (k: string): number => Number(s.get(k) ?? 0) || 0;
  return { ok: n('SuccessfulCall(C)'), failed: n('FailedCall(C)'), retrans: n('Retransmissions(C)') };
}

/** The first `max` events of a SIPp -trace_err file, one line each. */
export async function firstErrors(file: string, max = 3): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'latin1');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const m of text.matchAll(/\d+\.\d+: ([^\n]*)/g)) {
    out.push((m[1] ?? '').slice(0, 200));
    if (out.length >= max) break;
  }
  return out;
}
