/**
 * The dialog layer (RFC 3261 section 12): dialog state as a compact,
 * persistable plain object, dialog IDs, the table of dialogs and their
 * usages (RFC 5057), in-dialog request checks and construction,
 * out-of-dialog UAC requests, and URI-to-transport targets.
 */
export { DialogError, type DialogErrorCode } from './errors.js';
export {
  type DialogState,
  type DialogStateView,
  MAX_CSEQ,
  makeDialogState,
  restoreDialogState,
} from './dialog-state.js';
export { dialogIdOf, dialogKey } from './dialog-id.js';
export {
  type DialogMatch,
  type DialogUsage,
  DialogTable,
  INVITE_USAGE,
  isInDialog,
  usageIdOf,
} from './dialog-table.js';
export { copyRecordRoute, createDialogFromNotify, createUacDialog, createUasDialog } from './create-dialog.js';
export { checkInDialogRequest, isTargetRefresh, refreshTargetFromResponse } from './in-dialog-check.js';
export { type RoutedTarget, applyRouteSet } from './route-set.js';
export { DEFAULT_MAX_FORWARDS, type RequestOptions, type ViaSentBy } from './request-builder.js';
export { type InDialogRequestOptions, type OutgoingRequest, createInDialogRequest } from './in-dialog-request.js';
export { type OutOfDialogRequestOptions, createOutOfDialogRequest } from './out-of-dialog-request.js';
export { type TargetProtocol, type UriTarget, resolveUriTarget } from './uri-target.js';
export { contactValue, nameAddrWithoutTag } from './address.js';
