import type { SimState } from "./state";

/**
 * X-App-Usage and X-Business-Use-Case-Usage on every Graph answer: the
 * share of a fixed window's call budget used so far (config
 * usageLimitPerWindow calls per usageWindowMs), per app and per business.
 */
export class UsageMeter {
  private windowStart = Date.now();
  private appCalls = 0;
  private businessCalls = new Map<string, number>();

  headers(state: SimState, businessId: string | null, label: string): Record<string, string> {
    const { usageLimitPerWindow: limit, usageWindowMs } = state.config;
    const now = Date.now();
    if (now - this.windowStart >= usageWindowMs) {
      this.windowStart = now;
      this.appCalls = 0;
      this.businessCalls.clear();
    }
    const pct = (n: number) => Math.min(100, Math.floor((n * 100) / Math.max(1, limit)));
    const app = pct(++this.appCalls);
    const out: Record<string, string> = {
      "x-app-usage": JSON.stringify({ call_count: app, total_cputime: app, total_time: app }),
    };
    if (businessId) {
      const n = (this.businessCalls.get(businessId) ?? 0) + 1;
      this.businessCalls.set(businessId, n);
      const used = pct(n);
      const type = label.includes("{catalog-id}") || label.includes("product_catalogs") ? "catalog_management" : "whatsapp_business_management";
      out["x-business-use-case-usage"] = JSON.stringify({
        [businessId]: [{ type, call_count: used, total_cputime: used, total_time: used, estimated_time_to_regain_access: 0 }],
      });
    }
    return out;
  }
}
