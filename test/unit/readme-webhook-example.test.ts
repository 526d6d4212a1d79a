import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ProductPayload } from "../../app/catalog/product-payload";
import { productItems } from "../../app/catalog/items.server";
import { SANDBOX_DEFAULTS } from "../sandbox/sandbox";
import { EXAMPLE_PRODUCT, EXAMPLE_RETAILER_ID, productWebhookCommand } from "../sandbox/webhook-example";

/**
 * The newcomer's first webhook (issue 16, point 9): the README shows the
 * command `npm run sandbox` prints, for the default port, shop and secret,
 * and its product is one the app puts in the catalog. The sandbox contract
 * test (test/e2e/sandbox-catalog.test.ts) runs the printed command end to end.
 */
describe("the README's product webhook example", () => {
  it("is the command the sandbox prints, for the defaults", () => {
    const readme = fs.readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");
    const command = productWebhookCommand({
      appUrl: `http://localhost:${SANDBOX_DEFAULTS.PORT}`,
      shop: SANDBOX_DEFAULTS.SANDBOX_SHOP,
      secret: SANDBOX_DEFAULTS.SHOPIFY_API_SECRET,
    });
    expect(readme).toContain("```sh\n" + command + "\n```");
  });

  it("sends a product the app syncs: every variant becomes a catalog item, none is excluded or has a problem", () => {
    const product = ProductPayload.parse({ ...EXAMPLE_PRODUCT, updated_at: "2026-11-30T10:00:00Z" });
    const result = productItems(product, { domain: SANDBOX_DEFAULTS.SANDBOX_SHOP, currency: "USD" });
    expect(result.excludedBecause).toBeNull();
    expect(result.problems).toEqual([]);
    expect(result.items.map((i) => i.id)).toEqual([EXAMPLE_RETAILER_ID]);
  });
});
