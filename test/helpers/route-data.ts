import { decode } from "turbo-stream";
import { adminFetch } from "./shopify";

/**
 * A page's loader data as the embedded app receives it: Remix's single-fetch
 * request (`<path>.data`, turbo-stream), with the session token App Bridge adds.
 * Returns the status and the data of route `routeId` (e.g. "routes/app.catalog._index").
 */
export async function routeData<T = Record<string, unknown>>(baseUrl: string, shop: string, pathname: string, routeId: string) {
  const url = new URL(pathname, "http://x");
  const res = await adminFetch(baseUrl, `${url.pathname.replace(/\/$/, "")}.data${url.search}`, shop);
  if (!res.body) throw new Error(`${pathname}: no body (HTTP ${res.status})`);
  const decoded = await decode(res.body);
  await decoded.done;
  const routes = decoded.value as Record<string, { data?: unknown; error?: unknown }>;
  return { status: res.status, data: routes[routeId]?.data as T | undefined, error: routes[routeId]?.error };
}
