import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providers } from "../helpers/databases";
import { useApp } from "../helpers/app-suite";
import { sendWebhook } from "../helpers/shopify";
import { connectCatalog, drain, testWorker } from "../helpers/catalog";
import { productPayload, type ProductFixture } from "../fixtures/products";
import { createMetaSimulator, type MetaSimulator, type Scenario } from "../meta-sim";
import type { CatalogWorker } from "../../app/catalog/worker.server";

/**
 * Meta's item fields as Meta's catalog field reference states them
 * (https://developers.facebook.com/docs/commerce-platform/catalog/fields),
 * end to end: signed product webhooks into the running app, the worker
 * against the simulator, which refuses what Meta refuses. Shopify values
 * that map onto Meta's are mapped; one that cannot fails only its variant,
 * with what to change in Shopify; a field an item loses is cleared the way
 * Meta's own integrations clear it.
 */
describe.each(providers())("Meta item fields on %s", (provider) => {
  const t = useApp(provider);
  const shop = `fields-${provider}.myshopify.com`;
  let sim: MetaSimulator;
  let scenario: Scenario;
  let worker: CatalogWorker;
  let clock = Date.parse("2026-11-10T00:00:00Z");
  const at = () => new Date((clock += 1000)).toISOString();

  const post = (topic: string, body: unknown) => sendWebhook(t.url, "/webhooks/products", topic, body, { shop });
  const item = (retailerId: string) => sim.control.catalogItem(scenario.catalogId, retailerId);
  const row = (productId: number) => t.db.productSync.findUniqueOrThrow({ where: { shop_productId: { shop, productId: String(productId) } } });

  /** A product whose variants are the values of one option. */
  function withOption(id: number, option: string, values: string[], overrides: Partial<ProductFixture> = {}): ProductFixture {
    const product = productPayload({ id, updated_at: at(), ...overrides }, values.length);
    product.options = [{ name: option, position: 1 }];
    product.variants.forEach((v, i) => {
      v.option1 = values[i];
      v.title = values[i];
    });
    return product;
  }

  beforeAll(async () => {
    sim = await createMetaSimulator({ config: { batchDelayMs: 10 } });
    scenario = await connectCatalog(t.db, sim, shop);
    worker = testWorker(t.db, sim);
  });
  afterAll(() => sim?.close());

  it("sends a Gender option as Meta's female / male / unisex; a value Meta cannot take fails only its variant, saying what to change", async () => {
    await post("products/create", withOption(1, "Gender", ["Men", "Women's", "Unisex", "Kids"]));
    await drain(worker, t.db);
    expect(item("shopify_1_101")?.gender).toBe("male");
    expect(item("shopify_1_102")?.gender).toBe("female");
    expect(item("shopify_1_103")?.gender).toBe("unisex");
    expect(item("shopify_1_104")).toBeUndefined();
    const r = await row(1);
    expect(r.status).toBe("FAILED");
    expect(r.lastError).toBe(
      "The option “Gender” has the value “Kids”, which Meta does not accept for gender: Meta takes Female, Male or Unisex " +
        "(Men, Women, Boys, Girls and Unisex are understood too). In Shopify, change the value to one of those, " +
        "or rename the option (for example to “Fit”) if it means something else.",
    );
    expect(r.itemErrors).toEqual([{ retailerId: "shopify_1_104", reason: r.lastError }]);

    // Fixed in Shopify: the variant goes out too.
    await post("products/update", withOption(1, "Gender", ["Men", "Women's", "Unisex", "Girls"]));
    await drain(worker, t.db);
    expect(item("shopify_1_104")?.gender).toBe("female");
    expect((await row(1)).status).toBe("SYNCED");
  });

  it("sends an Age group option as Meta's age_group", async () => {
    await post("products/create", withOption(2, "Age group", ["Adults", "Children", "Baby"]));
    await drain(worker, t.db);
    expect([item("shopify_2_201")?.age_group, item("shopify_2_202")?.age_group, item("shopify_2_203")?.age_group]).toEqual(["adult", "kids", "infant"]);
    expect((await row(2)).status).toBe("SYNCED");
  });

  it("clears what an item no longer has: an ended sale, removed images, an option gone", async () => {
    const onSale = withOption(3, "Color", ["Red"]);
    onSale.images.push({ id: 33, src: "https://cdn.example.com/p/3/side.jpg", position: 3, variant_ids: [] });
    await post("products/create", onSale);
    await drain(worker, t.db);
    expect(item("shopify_3_301")).toMatchObject({
      price: "29.99 USD",
      sale_price: "19.99 USD",
      color: "Red",
      additional_image_link: ["https://cdn.example.com/p/3/back.jpg", "https://cdn.example.com/p/3/side.jpg"],
    });

    const after = productPayload({ id: 3, updated_at: at(), options: [{ name: "Style", position: 1 }] }, 1);
    after.variants[0].compare_at_price = null;
    after.variants[0].option1 = "Red";
    after.images = [after.images[0]];
    after.image = after.images[0];
    await post("products/update", after);
    await drain(worker, t.db);
    const cleared = item("shopify_3_301")!;
    expect(cleared.price).toBe("19.99 USD");
    expect(cleared).not.toHaveProperty("sale_price");
    expect(cleared).not.toHaveProperty("additional_image_link");
    expect(cleared).not.toHaveProperty("color");
    expect((await row(3)).status).toBe("SYNCED");
  });

  it("keeps the additional images within Meta's 20 images and 2,000 characters", async () => {
    const product = productPayload({ id: 4, updated_at: at() }, 1);
    product.images = Array.from({ length: 25 }, (_, i) => ({
      id: 400 + i,
      src: `https://cdn.example.com/s/files/1/0001/0002/products/${"organic-cotton-t-shirt-front-view-".repeat(2)}${i}.jpg?v=1700000000`,
      position: i + 1,
      variant_ids: [],
    }));
    product.image = product.images[0];
    await post("products/create", product);
    await drain(worker, t.db);
    const sent = item("shopify_4_401")!.additional_image_link as string[];
    expect(sent.length).toBeGreaterThan(10);
    expect(sent.length).toBeLessThanOrEqual(20);
    expect(sent.join(",").length).toBeLessThanOrEqual(2000);
    expect(sent[0]).toBe(product.images[1].src);
    expect((await row(4)).status).toBe("SYNCED");
  });

  it("sends colour and size up to Meta's 200 characters", async () => {
    const long = `Deep ocean blue with ${"a hint of teal ".repeat(10)}`.trim();
    expect(long.length).toBeGreaterThan(100);
    await post("products/create", withOption(5, "Colour", [long]));
    await drain(worker, t.db);
    expect(item("shopify_5_501")?.color).toBe(long);
  });

  it("a store currency Meta cannot take fails the product with what to change, without sending it", async () => {
    await t.db.shop.update({ where: { domain: shop }, data: { currency: "US$" } });
    try {
      sim.control.resetCallCounts();
      await post("products/create", productPayload({ id: 6, updated_at: at() }, 1));
      await drain(worker, t.db);
      const r = await row(6);
      expect(r.status).toBe("FAILED");
      expect(r.lastError).toMatch(/store currency “US\$” is not a currency code Meta accepts.*Settings › Store details/);
      expect(item("shopify_6_601")).toBeUndefined();
    } finally {
      await t.db.shop.update({ where: { domain: shop }, data: { currency: "USD" } });
    }
  });
});
