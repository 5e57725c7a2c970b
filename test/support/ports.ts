/**
 * Free loopback ports for peers that cannot bind port 0 themselves
 * (SIPp `-p`, baresip `sip_listen`). A port is probed by binding it on
 * 127.0.0.1 for both UDP and TCP, then released; a small race with other
 * processes remains, so callers pick a fresh port per run.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

function bindUdp(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', (e) => {
      s.close();
      reject(e);
    });
    s.bind(port, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

function bindTcp(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const addr = srv.address();
      const p = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(p));
    });
  });
}

const handedOut = new Set<number>();

/**
 * A free port P such that every P + extra[i] is free for UDP and TCP too
 * (SIPp binds its media port and media port + 2; baresip listens for TLS on
 * its SIP port + 1).
 */
export async function freePortWith(extra: readonly number[]): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freePort();
    let ok = true;
    for (const d of extra) {
      if (port + d > 65535) {
        ok = false;
        break;
      }
      try {
        await bindUdp(port + d);
        await bindTcp(port + d);
      } catch {
        ok = false;
        break;
      }
    }
    if (ok) {
      for (const d of extra) handedOut.add(port + d);
      return port;
    }
  }
  throw new Error(`no free port P with P+${extra.join(', P+')} on 127.0.0.1 after 20 attempts`);
}

/**
 * A port on 127.0.0.1 that is currently free for UDP and TCP alike and was
 * not handed out before by this process.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await bindUdp(0);
    if (handedOut.has(port)) continue;
    try {
      await bindTcp(port);
    } catch {
      continue;
    }
    handedOut.add(port);
    return port;
  }
  throw new Error('no free UDP+TCP port on 127.0.0.1 after 50 attempts');
}
