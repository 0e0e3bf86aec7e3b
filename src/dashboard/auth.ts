import { createHash, timingSafeEqual } from 'node:crypto';

/** Why a mutation request is refused, or undefined when it may go on. */
export interface Refusal {
  readonly status: 403 | 415;
  readonly code: 'READ_ONLY' | 'FORBIDDEN' | 'CROSS_ORIGIN' | 'UNSUPPORTED_MEDIA_TYPE';
  readonly message: string;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares in constant time whatever the lengths. */
export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token of `Authorization: Bearer <token>` or of `X-Factline-Token`. */
export function tokenOf(headers: Headers): string | undefined {
  const auth = headers.get('authorization');
  const bearer = auth !== null ? /^Bearer\s+(.+)$/i.exec(auth.trim())?.[1] : undefined;
  return bearer ?? headers.get('x-factline-token') ?? undefined;
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/**
 * Replay and discard need: a configured token, that token in a header, a JSON body, and no
 * foreign Origin. A cross-site HTML form can send none of these headers (and a cross-site
 * script that tries is stopped by the browser's CORS preflight, which the dashboard never
 * answers with permission), so a page on another site cannot make a browser replay. An Origin
 * header that names another host is refused as well.
 */
export function checkMutation(req: Request, token: string | undefined): Refusal | undefined {
  if (token === undefined) {
    return { status: 403, code: 'READ_ONLY', message: 'this dashboard is read-only: start it with --token (or FACTLINE_DASHBOARD_TOKEN) to replay and discard' };
  }
  // Hosts, not whole origins: behind a TLS proxy the page is https while the request arrives as http.
  const origin = req.headers.get('origin');
  if (origin !== null && hostOf(origin) !== new URL(req.url).host) {
    return { status: 403, code: 'CROSS_ORIGIN', message: `requests from ${origin} may not change dead letters` };
  }
  const given = tokenOf(req.headers);
  if (given === undefined || !tokenMatches(given, token)) {
    return { status: 403, code: 'FORBIDDEN', message: 'replay and discard need the dashboard token in an Authorization: Bearer header' };
  }
  const type = req.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send the request body as application/json' };
  }
  return undefined;
}
