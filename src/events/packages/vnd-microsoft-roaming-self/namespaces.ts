/**
 * The names of the roaming-self format ([MS-PRES] section 4.4), in one
 * module that imports nothing, so that the server's package and the phone
 * (src/phone/, which may not import the rest of events/) share them.
 * All namespaces are http, not https, as Lync writes them.
 */

/** Content type of the `roamingList` SUBSCRIBE body and of every notification ([MS-PRES]; PROTOCOLS.md section 4). */
export const ROAMING_SELF_TYPE = 'application/vnd-microsoft-roaming-self+xml';
/** Namespace of `roamingList`, `roaming` and `roamingData` ([MS-PRES] section 4.4.1). */
export const ROAMING_SELF_NS = 'http://schemas.microsoft.com/2006/09/sip/roaming-self';
/** Namespace of `roamingEx`, which carries `delegates` ([MS-PRES] section 4.4.1). */
export const ROAMING_SELF_EX_NS = 'http://schemas.microsoft.com/2007/09/sip/roaming-self-ex';
/** Namespace of `categories` and `category` ([MS-PRES] section 4.4.3). */
export const CATEGORIES_NS = 'http://schemas.microsoft.com/2006/09/sip/categories';
/** Namespace of the `mwi` category value. */
export const MWI_NS = 'http://schemas.microsoft.com/2006/09/sip/mwi';
