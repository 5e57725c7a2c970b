/** The vnd-microsoft-roaming-self event package ([MS-PRES], [MS-SIP]): package, codecs, state. */
export {
  ROAMING_SELF,
  createRoamingSelfPackage,
  type RoamingSelfDeps,
  type RoamingSelfPackage,
} from './roaming-self-package.js';
export { CATEGORIES_NS, MWI_NS, ROAMING_SELF_EX_NS, ROAMING_SELF_NS, ROAMING_SELF_TYPE } from './namespaces.js';
export {
  MAX_UNSIGNED_INT,
  MWI_CATEGORY,
  formatPublishTime,
  formatRoamingData,
  mwiCategoryOf,
  parsePublishTime,
  parseRoamingData,
  type MwiCategory,
  type RoamingData,
} from './categories.js';
export { ROAMING_TYPES, formatRoamingList, isRoamingType, parseRoamingList, type RoamingType } from './roaming-list.js';
export { MAX_ROAMING_SELF_XML_BYTES, RoamingSelfXmlError, type RoamingSelfXmlErrorCode } from './roaming-self-error.js';
export {
  DEFAULT_ROAMING_TYPES,
  EVENTLIST,
  MS_BENOTIFY,
  MS_PIGGYBACK_FIRST_NOTIFY,
  negotiate,
  offersOption,
  readRoamingSelfState,
  type RoamingSelfState,
} from './roaming-self-state.js';
