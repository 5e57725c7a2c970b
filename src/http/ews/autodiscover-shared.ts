/**
 * What both forms of Exchange Autodiscover share: the user an e-mail
 * address names, the headers of a 401, the server version openum claims.
 * The POX form is [MS-OXDSCLI], the SOAP form [MS-OXWSADISC].
 */

/** A user as Autodiscover shows it (the routes' `findUser` delegate returns it). */
export interface AutodiscoverUser {
  /** The openum user name. */
  name: string;
  /** Shown as `User/DisplayName` (POX) and `UserDisplayName` (SOAP); the name when null. */
  displayName: string | null;
}

/**
 * The part of an e-mail address before its last `@`, which openum reads as a
 * user name (or an extension); undefined when either side of the `@` is
 * empty. The domain is not checked beyond being present: openum serves one
 * set of users whatever the domain (Autodiscover's clients ask with whatever
 * address the user typed).
 */
export function localPartOf(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return undefined;
  return address.slice(0, at);
}

/**
 * Headers Exchange adds to the 401 of its Autodiscover endpoints: Lync probes
 * without credentials first and, when it sees them, switches from the POX
 * `.xml` URL to the SOAP `.svc` one (as observed of Lync against Exchange). The
 * app's `authenticate` delegate adds them to the 401 it sends on these
 * routes.
 */
export function autodiscoverUnauthorizedHeaders(): Record<string, string> {
  return { 'X-SOAP-Enabled': 'True', 'X-WSSecurity-Enabled': 'True' };
}

/**
 * The Exchange version openum's SOAP answers claim in `ServerVersionInfo`
 * ([MS-OXWSADISC] ServerVersionInfo header): Exchange 2010 SP1 (14.1.218.15), the
 * version EWS clients ask for (`Exchange2010_SP1` in their RequestServerVersion).
 */
export const AUTODISCOVER_SERVER_VERSION = {
  major: 14,
  minor: 1,
  majorBuild: 218,
  minorBuild: 15,
  version: 'Exchange2010_SP1',
} as const;

/** The `UserDN` openum gives a user: an Exchange-style legacy DN ([MS-OXWSADISC] UserSettingName `UserDN`). */
export function legacyDnOf(name: string): string {
  return `/o=openum/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=${name}`;
}
