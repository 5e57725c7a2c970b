import type { ApiCredentials } from '../http/api-auth.js';
import type { ApiMwiState, MwiApi } from '../http/mwi-routes.js';
import type { MailboxMwi, MwiService } from '../mwi/mwi-service.js';
import type { Storage } from '../storage/ports.js';

function apiState(s: MailboxMwi): ApiMwiState {
  return { messagesWaiting: s.messagesWaiting, ...s.counts, version: s.version };
}

/** The MWI API over the MWI service (the HTTP layer sees only this interface). */
export function mwiApi(storage: Storage, mwi: MwiService): MwiApi {
  return {
    mailbox: (name) => {
      const u = storage.getUser(name);
      return u && { mwiEnabled: u.mwiEnabled };
    },
    get: (mailbox) => apiState(mwi.get(mailbox)),
    set: async (mailbox, source, counts) => {
      const { state } = mwi.update({ mailbox, source, counts });
      await storage.barrier();
      return apiState(state);
    },
  };
}

/** API credentials over storage: token hashes and users' MD5 HA1. */
export function apiCredentials(storage: Storage): ApiCredentials {
  return {
    tokenByHash: (hash) => {
      const t = storage.findTokenByHash(hash);
      return t && { id: t.id, scope: t.scope, mailbox: t.mailbox };
    },
    userHa1: (name) => {
      const u = storage.getUser(name);
      return u && { realm: u.realm, ha1Md5: u.ha1.MD5 };
    },
  };
}
