import type { SimControl } from "./control";
import type { MetaSimulator } from "./server";
import type { Faults } from "./faults";
import type { SimReply } from "./request";
import type { SimState } from "./state";

/**
 * /_sim/... : the control API over HTTP (JSON in, JSON out), for the sandbox,
 * benchmarks and anything outside the test process.
 *
 *   GET    /_sim/state                          counts of everything
 *   POST   /_sim/reset                          forget all but the apps
 *   POST   /_sim/seed/scenario                  body ScenarioInput -> Scenario
 *   POST   /_sim/seed/business | waba | phone-number | catalog | token | auth-code
 *   PATCH  /_sim/config                         body Partial<SimConfig>
 *   POST   /_sim/recipients/fail                { to, code?, title? }
 *   POST   /_sim/inbound                        { phoneNumberId, from?, userId?, name?, text?, atMs? }: a customer writes (issue 18)
 *   PUT    /_sim/customer-windows               { phoneNumberId, customer, lastInboundMs | null }
 *   PUT    /_sim/wabas/:id/catalog              { catalogId | null }: link as in WhatsApp Manager
 *   GET    /_sim/wabas/:id/catalog | /_sim/phone-numbers/:id/commerce
 *   GET    /_sim/catalogs/:id/items?offset&limit -> { count, items }
 *   GET    /_sim/catalogs/:id/items/:retailerId
 *   PUT    /_sim/catalogs/:id/items/:retailerId/review   ReviewOutcome | {} (lift): Meta's review of that item (issue 17)
 *   GET    /_sim/catalogs/:id/diagnostics
 *   GET    /_sim/calls                          { "<label>": n }; DELETE resets
 *   GET    /_sim/messages | /_sim/batches?catalogId | /_sim/webhooks
 *   GET    /_sim/tokens/:value
 *   GET    /_sim/faults; PUT sets (FaultConfig); POST /_sim/faults/rules adds one; DELETE clears
 *   POST   /_sim/faults/invalidate-token        { token, subcode? }
 *   POST   /_sim/faults/revoke-scope            { token, scope, targetId? }
 *   POST   /_sim/faults/drop-catalog            { catalogId }
 */

type Body = Record<string, unknown>;
type Handler = (body: Body, params: string[], query: URLSearchParams) => unknown;
/** Control bodies are trusted test input: the seeding functions check what matters. */
const input = <T>(body: Body) => body as unknown as T;

export function controlRoutes(control: SimControl, faults: Faults, state: SimState, reset: () => void, inbound: MetaSimulator["inbound"]) {
  const str = (v: unknown) => (typeof v === "string" ? v : String(v ?? ""));
  const routes: Array<[string, RegExp, Handler]> = [
    ["GET", /^state$/, () => ({
      apps: state.apps.size,
      tokens: state.tokens.size,
      businesses: state.businesses.size,
      wabas: state.wabas.size,
      phoneNumbers: state.phones.size,
      catalogs: [...state.catalogs.values()].map((c) => ({ id: c.id, businessId: c.businessId, items: c.items.size })),
      batches: state.batches.size,
      messages: state.messages.size,
    })],
    ["POST", /^reset$/, () => (reset(), { ok: true })],
    ["POST", /^seed\/scenario$/, (b) => control.seedScenario(input(b))],
    ["POST", /^seed\/business$/, (b) => control.seedBusiness(input(b))],
    ["POST", /^seed\/waba$/, (b) => {
      const waba = control.seedWaba(input<Parameters<SimControl["seedWaba"]>[0]>(b));
      return { ...waba, subscribedApps: [...waba.subscribedApps] };
    }],
    ["POST", /^seed\/phone-number$/, (b) => control.seedPhoneNumber(input<Parameters<SimControl["seedPhoneNumber"]>[0]>(b))],
    ["POST", /^seed\/catalog$/, (b) => {
      const { items: _items, productIds: _ids, ...catalog } = control.seedCatalog(input<Parameters<SimControl["seedCatalog"]>[0]>(b));
      return catalog;
    }],
    ["POST", /^seed\/token$/, (b) => ({ token: control.seedToken(input(b)) })],
    ["POST", /^seed\/auth-code$/, (b) => ({ code: control.issueAuthCode(input<Parameters<SimControl["issueAuthCode"]>[0]>(b)) })],
    ["PATCH", /^config$/, (b) => (control.configure(input(b)), { ...state.config, unsupportedFields: [...state.config.unsupportedFields] })],
    ["POST", /^recipients\/fail$/, (b) => (control.failRecipient(str(b.to), b), { ok: true })],
    ["POST", /^inbound$/, (b) => inbound(input(b))],
    ["PUT", /^customer-windows$/, (b) => (control.setCustomerWindow(str(b.phoneNumberId), str(b.customer), typeof b.lastInboundMs === "number" ? b.lastInboundMs : null), { ok: true })],
    ["PUT", /^wabas\/([^/]+)\/catalog$/, (b, [id]) => (control.setLinkedCatalog(id, typeof b.catalogId === "string" ? b.catalogId : null), { catalogId: control.linkedCatalog(id) })],
    ["GET", /^wabas\/([^/]+)\/catalog$/, (_b, [id]) => ({ catalogId: control.linkedCatalog(id) })],
    ["GET", /^phone-numbers\/([^/]+)\/commerce$/, (_b, [id]) => control.commerceSettings(id)],
    ["GET", /^catalogs\/([^/]+)\/items$/, (_b, [id], q) => {
      const offset = q.has("offset") ? Number(q.get("offset")) : undefined;
      const limit = q.has("limit") ? Number(q.get("limit")) : undefined;
      return { count: control.catalogItemCount(id), items: control.catalogItems(id, { offset, limit }) };
    }],
    ["PUT", /^catalogs\/([^/]+)\/items\/(.+)\/review$/, (b, [id, retailerId]) => {
      control.setReview(id, retailerId, typeof b.kind === "string" ? input(b) : null);
      return { ok: true };
    }],
    ["GET", /^catalogs\/([^/]+)\/diagnostics$/, (_b, [id]) => ({ data: control.catalogDiagnostics(id) })],
    ["GET", /^catalogs\/([^/]+)\/items\/(.+)$/, (_b, [id, retailerId]) => control.catalogItem(id, retailerId) ?? null],
    ["GET", /^calls$/, () => control.callCounts()],
    ["DELETE", /^calls$/, () => (control.resetCallCounts(), { ok: true })],
    ["GET", /^messages$/, () => control.messages()],
    ["GET", /^batches$/, (_b, _p, q) => control.batches(q.get("catalogId") ?? undefined)],
    ["GET", /^webhooks$/, () => control.webhookDeliveries()],
    ["GET", /^tokens\/(.+)$/, (_b, [value]) => control.token(value) ?? null],
    ["GET", /^faults$/, () => faults.list()],
    ["PUT", /^faults$/, (b) => (faults.set(input(b)), faults.list())],
    ["POST", /^faults\/rules$/, (b) => (faults.add(input<Parameters<Faults["add"]>[0]>(b)), faults.list())],
    ["DELETE", /^faults$/, () => (faults.clear(), faults.list())],
    ["POST", /^faults\/invalidate-token$/, (b) => (faults.invalidateToken(str(b.token), typeof b.subcode === "number" ? b.subcode : undefined), { ok: true })],
    ["POST", /^faults\/revoke-scope$/, (b) => (faults.revokeScope(str(b.token), str(b.scope), b.targetId === undefined ? undefined : str(b.targetId)), { ok: true })],
    ["POST", /^faults\/drop-catalog$/, (b) => (faults.dropCatalog(str(b.catalogId)), { ok: true })],
  ];

  return async (method: string, path: string, query: URLSearchParams, rawBody: string): Promise<SimReply> => {
    for (const [m, pattern, handler] of routes) {
      const match = pattern.exec(path);
      if (!match || m !== method) continue;
      let body: Body = {};
      try {
        body = rawBody ? (JSON.parse(rawBody) as Body) : {};
      } catch {
        return { status: 400, body: { error: "body must be JSON" } };
      }
      try {
        return { status: 200, body: await handler(body, match.slice(1).map(decodeURIComponent), query) };
      } catch (err) {
        return { status: 400, body: { error: err instanceof Error ? err.message : String(err) } };
      }
    }
    return { status: 404, body: { error: `no control route ${method} /_sim/${path}` } };
  };
}
