/**
 * A full garbage collection in another node process, through its inspector
 * (started with `--inspect=127.0.0.1:0`, which prints "Debugger listening on
 * ws://127.0.0.1:PORT/ID" on stderr): HeapProfiler.collectGarbage, then
 * Runtime.getHeapUsage. V8 gives memory back to the OS only after a major
 * GC, and when that runs depends on allocation and on its idle-time memory
 * reducer; forcing one before reading VmRSS makes the memory figures
 * repeatable (they moved by 2x from run to run without it).
 */
import WebSocket from 'ws';

/** The inspector URL a node process printed, if any. */
export function inspectorUrl(stderr: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
}

interface Reply {
  id?: number;
  result?: { usedSize?: number; totalSize?: number };
  error?: { message?: string };
}

/** Force a full GC in the inspected process; returns its JS heap in use after it (bytes). */
export async function collectGarbage(
  url: string,
  timeoutMs = 30_000,
): Promise<{ heapUsed: number; heapTotal: number }> {
  const ws = new WebSocket(url);
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    let next = 1;
    const call = (method: string): Promise<Reply> =>
      new Promise((resolve, reject) => {
        const id = next++;
        const timer = setTimeout(
          () => reject(new Error(`inspector ${method}: no answer in ${timeoutMs} ms`)),
          timeoutMs,
        );
        const onMessage = (data: WebSocket.RawData): void => {
          const msg = JSON.parse(data.toString()) as Reply;
          if (msg.id !== id) return;
          clearTimeout(timer);
          ws.off('message', onMessage);
          if (msg.error) reject(new Error(`inspector ${method}: ${msg.error.message ?? 'error'}`));
          else resolve(msg);
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify({ id, method }));
      });
    await call('HeapProfiler.collectGarbage');
    const usage = await call('Runtime.getHeapUsage');
    return { heapUsed: usage.result?.usedSize ?? 0, heapTotal: usage.result?.totalSize ?? 0 };
  } finally {
    ws.close();
  }
}
