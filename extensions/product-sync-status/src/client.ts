import { parseSyncStatus, statusPath, type SyncAction, type SyncStatus } from "./model";

/**
 * Calls to the app's status endpoint. Inside the Shopify admin, `fetch` to a
 * relative URL is resolved against the app's `application_url` and gets an
 * `Authorization: Bearer <ID token>` header added by Shopify (admin UI
 * extensions' "App authentication"), so no token handling is needed here.
 */

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** An error whose message can be shown to the merchant as it is. */
export class StatusError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = "StatusError";
  }
}

async function errorFrom(res: Response): Promise<StatusError> {
  let detail: string | null = null;
  try {
    const body: unknown = await res.json();
    if (body && typeof body === "object" && typeof (body as { error?: unknown }).error === "string") detail = (body as { error: string }).error;
  } catch {
    // not JSON (a proxy's error page, a redirect's body): the status says enough
  }
  if (res.status === 401 || res.status === 403 || (res.status >= 300 && res.status < 400)) {
    return new StatusError("Your Shopify session could not be verified. Reload the page and try again.", res.status);
  }
  if (detail) return new StatusError(detail, res.status);
  if (res.status >= 500) return new StatusError(`The app had a problem (HTTP ${res.status}). Try again in a moment.`, res.status);
  return new StatusError(`The app refused the request (HTTP ${res.status}).`, res.status);
}

async function call(fetchImpl: FetchLike, productId: string, init: RequestInit): Promise<SyncStatus> {
  let res: Response;
  try {
    res = await fetchImpl(statusPath(productId), { ...init, headers: { accept: "application/json", ...init.headers } });
  } catch {
    throw new StatusError("Could not reach the app. Check your connection and try again.", null);
  }
  if (!res.ok) throw await errorFrom(res);
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new StatusError("The app answered with something other than the catalog status.", res.status);
  }
  const status = parseSyncStatus(body);
  if (!status) throw new StatusError("The app answered with something other than the catalog status.", res.status);
  return status;
}

export function fetchSyncStatus(fetchImpl: FetchLike, productId: string, signal?: AbortSignal) {
  return call(fetchImpl, productId, { method: "GET", signal });
}

export function postSyncAction(fetchImpl: FetchLike, productId: string, action: SyncAction) {
  return call(fetchImpl, productId, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ action }),
  });
}
