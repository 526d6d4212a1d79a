/**
 * Endpoint labels: how logs, errors and the simulator's counters name a
 * Graph call. Ids are placeholders, so a label never carries an id, a token
 * or a query string and is safe to log and to group metrics by.
 */
export const ENDPOINTS = {
  exchangeCode: "GET /oauth/access_token",
  debugToken: "GET /debug_token",
  phoneNumbers: "GET /{waba-id}/phone_numbers",
  phoneNumber: "GET /{phone-number-id}",
  waba: "GET /{waba-id}",
  register: "POST /{phone-number-id}/register",
  setTwoStepPin: "POST /{phone-number-id}",
  subscribeApp: "POST /{waba-id}/subscribed_apps",
  unsubscribeApp: "DELETE /{waba-id}/subscribed_apps",
  messages: "POST /{phone-number-id}/messages",
  messageTemplates: "GET /{waba-id}/message_templates",
  // WhatsApp commerce (issue 18): the catalog linked to a WABA and a number's commerce settings.
  wabaCatalogs: "GET /{waba-id}/product_catalogs",
  linkCatalog: "POST /{waba-id}/product_catalogs",
  unlinkCatalog: "DELETE /{waba-id}/product_catalogs",
  commerceSettings: "GET /{phone-number-id}/whatsapp_commerce_settings",
  setCommerceSettings: "POST /{phone-number-id}/whatsapp_commerce_settings",
  ownedCatalogs: "GET /{business-id}/owned_product_catalogs",
  clientCatalogs: "GET /{business-id}/client_product_catalogs",
  itemsBatch: "POST /{catalog-id}/items_batch",
  batchStatus: "GET /{catalog-id}/check_batch_request_status",
  catalogProducts: "GET /{catalog-id}/products",
  // Meta's review (issue 17): the products edge above read with a retailer_id filter, and the catalog's diagnostics.
  catalogDiagnostics: "GET /{catalog-id}/diagnostics",
} as const;

export type EndpointLabel = (typeof ENDPOINTS)[keyof typeof ENDPOINTS];
export type HttpMethod = "GET" | "POST" | "DELETE";

export interface Route {
  method: HttpMethod;
  /** The URL path below the version, ids filled in and encoded. */
  path: string;
  label: EndpointLabel;
}

// Graph object ids are numeric; letters, "_" and "-" are tolerated for
// fakes and sandboxes. Anything else (slashes, dots, spaces) could change
// which endpoint a request reaches, so it is refused before any I/O.
const GRAPH_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** Refuses, before any I/O, a value that is not a Graph object id (e.g. a catalog_id parameter). */
export function assertGraphId(name: string, id: unknown): asserts id is string {
  if (typeof id !== "string" || !GRAPH_ID.test(id)) throw new TypeError(`invalid ${name}: expected a Graph object id`);
}

/** Builds the route of a labelled endpoint with its ids filled in. */
export function route(label: EndpointLabel, ids: Record<string, string> = {}): Route {
  const [method, template] = label.split(" ") as [HttpMethod, string];
  const path = template.replace(/\{([a-z-]+)\}/g, (_, name: string) => {
    const id = ids[name];
    // The value is left out of the message on purpose: a caller that mixed
    // up arguments might have passed a token here.
    if (typeof id !== "string" || !GRAPH_ID.test(id)) throw new TypeError(`invalid ${name}: expected a Graph object id`);
    return id;
  });
  return { method, path, label };
}
