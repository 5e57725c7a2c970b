/**
 * Applying a route set to a request: loose and strict routing (RFC 3261
 * section 12.2.1.1, also used for a pre-existing route set, 8.1.1.1) and the
 * URI the request is first sent to (8.1.2).
 */
import type { SipUri } from '../message/index.js';
import { parseSipUri, requestUriOf, routeUri } from './address.js';

/** Where a request goes: its Request-URI, its Route values, its next hop. */
export interface RoutedTarget {
  /** The Request-URI. */
  requestUri: SipUri;
  /** The Route header field values, in order (may be `routeSet` itself: do not mutate). */
  routes: string[];
  /**
   * The URI to resolve for sending (RFC 3261 8.1.2): the first Route URI
   * with loose routing, the Request-URI otherwise.
   */
  destinationUri: string;
}

/**
 * RFC 3261 12.2.1.1:
 * - empty route set: Request-URI = remote target, no Route;
 * - first route has `lr` (loose routing): Request-URI = remote target,
 *   Route = the route set, all parameters included; the request goes to
 *   the first route;
 * - first route without `lr` (strict routing, RFC 2543 proxy): Request-URI
 *   = the first route's URI "stripping any parameters that are not allowed
 *   in a Request-URI", Route = the rest of the route set followed by the
 *   remote target; the request goes to the Request-URI.
 *
 * The Request-URI never carries URI headers nor a `method` parameter
 * (19.1.1, table 1). Throws SipParseError when the target or the first
 * route is not a usable SIP/SIPS URI.
 */
export function applyRouteSet(routeSet: readonly string[], remoteTarget: string): RoutedTarget {
  const first = routeSet[0];
  if (first === undefined) {
    return {
      requestUri: requestUriOf(parseSipUri(remoteTarget, 'remote target')),
      routes: [],
      destinationUri: remoteTarget,
    };
  }
  const firstUri = routeUri(first);
  if (firstUri.params.has('lr')) {
    return {
      requestUri: requestUriOf(parseSipUri(remoteTarget, 'remote target')),
      routes: routeSet as string[],
      destinationUri: firstUri.toString(),
    };
  }
  const requestUri = requestUriOf(firstUri);
  const routes = routeSet.slice(1);
  routes.push('<' + remoteTarget + '>');
  return { requestUri, routes, destinationUri: requestUri.toString() };
}
