import { Registrar, type RegistrarDelegate, type RegistrarOptions } from '../registrar/registrar.js';
import { createRegisterHandler } from '../registrar/register-handler.js';
import { RequestAuthenticator } from '../registrar/request-authenticator.js';
import { DigestServer, type DigestAlgorithm } from '../sip/auth/index.js';
import { UserAgentCore, type CoreDelegate } from '../sip/core.js';
import type { Clock } from '../sip/transaction/index.js';
import { TransportLayer } from '../sip/transport/index.js';
import type { Storage } from '../storage/ports.js';
import { VERSION } from './version.js';

/** What the SIP side of the server is built from; tests pass a loopback transport layer and a fake clock. */
export interface SipServiceOptions {
  storage: Storage;
  domain: string;
  digestSecret: Buffer;
  authAlgorithms?: DigestAlgorithm[];
  transports?: TransportLayer;
  clock?: Clock;
  registrar?: Partial<Omit<RegistrarOptions, 'now'>>;
  coreDelegate?: CoreDelegate;
  registrarDelegate?: RegistrarDelegate;
}

/** The SIP side, wired: UA core, digest auth, registrar. */
export interface SipService {
  transports: TransportLayer;
  core: UserAgentCore;
  registrar: Registrar;
}

/** Wire the SIP core, authentication and the registrar (REGISTER, OPTIONS). */
export function createSipService(o: SipServiceOptions): SipService {
  const transports = o.transports ?? new TransportLayer();
  const now = o.clock ? () => o.clock!.now() : () => Date.now();
  const registrar = new Registrar(o.storage, { ...o.registrar, now }, o.registrarDelegate);
  const core = new UserAgentCore({
    transports, product: `openum/${VERSION}`, supported: ['path', 'outbound', 'gruu'],
    ...(o.clock && { clock: o.clock }),
    delegate: {
      ...o.coreDelegate,
      onFlowClosed: (flowId) => {
        registrar.onFlowClosed(flowId);
        o.coreDelegate?.onFlowClosed?.(flowId);
      },
    },
  });
  const digest = new DigestServer({
    realm: o.domain, secret: o.digestSecret, clock: { now },
    ...(o.authAlgorithms && { algorithms: o.authAlgorithms }),
  });
  const auth = new RequestAuthenticator(digest, o.storage, o.domain);
  core.onRequest('REGISTER', createRegisterHandler({ registrar, auth, users: o.storage }));
  return { transports, core, registrar };
}
