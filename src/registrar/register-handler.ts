import type { RequestContext } from '../sip/core.js';
import { createResponse, uriUser, type SipRequest, type SipResponse } from '../sip/message/index.js';
import type { RequestAuthenticator } from '../sip/auth/index.js';
import type { UserRecord, UserStore } from '../storage/ports.js';
import type { Registrar } from './registrar.js';

/**
 * REGISTER processing of RFC 3261 section 10.3, steps 3 to 5, before the
 * binding rules of {@link Registrar}: authenticate (step 3), resolve the To
 * address-of-record to a user, name or extension (step 5: 404 when unknown),
 * and allow a user to change only its own bindings (step 4: 403).
 *
 * One domain per server: the host of the AOR is not compared (Kamailio's
 * `use_domain=0`), so phones that register `sip:alice@192.0.2.1` work.
 */
export function createRegisterHandler(deps: {
  registrar: Registrar;
  auth: RequestAuthenticator<UserRecord>;
  users: UserStore;
}): (req: SipRequest, ctx: RequestContext) => SipResponse {
  return (req, ctx) => {
    const auth = deps.auth.authenticate(req);
    if ('response' in auth) return auth.response;
    const name = uriUser(req.to.uri);
    const target = name === undefined ? undefined : deps.users.findUser(name);
    if (!target) return createResponse(req, 404, 'Not Found');
    if (target.name !== auth.user.name) {
      return createResponse(req, 403, 'Forbidden (credentials are not for this address-of-record)');
    }
    return deps.registrar.handleRegister(req, target.name, {
      source: { protocol: ctx.source.protocol, address: ctx.source.address, port: ctx.source.port },
      flowId: ctx.source.flowId,
    });
  };
}
