import type { ImageFixture as Image, ProductFixture as Product, VariantFixture as Variant } from "../fixtures/products";
import { Random } from "./random";

/**
 * The seeded history of a chaos run: several shops whose products are
 * created, repriced, restocked, renamed, given and robbed of variants and
 * images, drafted, archived, unlisted, unpublished, deleted and re-created
 * under a new id; and the webhook deliveries Shopify would make for that
 * history: duplicated (same webhook id), shuffled within a window, retried
 * minutes later with the original payload, or first delivered late.
 *
 * Next to every product version the generator keeps what the expected
 * catalog needs to know without parsing the product back (the plain text of
 * its description, whether Meta will refuse it), so the expected catalog is
 * computed from the final Shopify state by an independent model (expected.ts).
 */

export interface ChaosShop {
  domain: string;
  currency: string;
  /** The shop's primary domain; null = the myshopify domain. */
  primaryDomain: string | null;
}

// The REST-shaped product of products/create and products/update, as the other tests send it.
export type { Image, Product, Variant };

/**
 * Why Meta (the simulator) refuses every item of a product, fixed for the
 * product's life so the expected catalog never depends on history:
 * "no-color": the product has no color option and the run's simulator
 * requires `color`; "bad-image": one of its image URLs has a space in it
 * (the app sends it, Meta refuses it).
 */
export type Rejection = "none" | "no-color" | "bad-image";

/** The final Shopify state of one product id. */
export interface FinalProduct {
  product: Product | null; // null: deleted
  /** The description's plain text, line by line, as the generator wrote it. */
  text: string;
  rejection: Rejection;
}

export type Topic = "products/create" | "products/update" | "products/delete";

export interface ProductEvent {
  seq: number;
  shop: string;
  productId: number;
  topic: Topic;
  change: string;
  webhookId: string;
  body: string;
}

export type DeliveryKind = "original" | "duplicate" | "retry-later" | "delayed";

export interface Delivery {
  event: ProductEvent;
  kind: DeliveryKind;
}

export interface Scenario {
  seed: number;
  shops: ChaosShop[];
  events: ProductEvent[];
  deliveries: Delivery[];
  final: Map<string, Map<number, FinalProduct>>;
  counts: Record<DeliveryKind, number> & { events: number; changes: Record<string, number> };
}

export interface ScenarioOptions {
  seed: number;
  /** Deliveries to generate (at least). */
  deliveries: number;
  shops: number;
  /** Products a shop holds at most (default from the size). */
  productsPerShop?: number;
  /** The run's tag in shop domains (keeps concurrent runs apart). */
  tag?: string;
  /**
   * The last shop shares the first shop's catalog (issue 14): its product and
   * variant ids come from a range of their own, as Shopify's ids are unique
   * across shops (https://shopify.dev/docs/api/usage/gids).
   */
  sharedCatalogShop?: boolean;
}

const ASCII_WORDS = [
  "organic", "cotton", "tee", "linen", "shirt", "classic", "denim", "jacket", "wool", "scarf", "leather", "boots", "canvas",
  "tote", "summer", "dress", "running", "shoes", "ceramic", "mug", "bamboo", "socks", "merino", "hoodie", "vintage", "cap",
];
const UNICODE_WORDS = [
  "café", "naïve", "Zürich", "日本語", "中文", "한국어", "Ελληνικά", "русский", "עברית", "العربية", "🎉", "👨‍👩‍👧", "🇫🇷",
  "e\u0301tude", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "ｆｕｌｌ", "Ⅻ", "ß", "İstanbul", "😀😀😀",
];
const PUNCT_WORDS = ["&", "<b>", "5\"", "it's", "R&D", "a>b", "100%", "#1", "C++", "x<y"];
const SIZES = ["XS", "S", "M", "L", "XL", "EU 42", "Größe 3", "One size"];
const COLORS = ["Red", "Blue", "Forest green", "Vert forêt", "黑色", "Navy/White", "Ochre"];
const MATERIALS = ["Cotton", "Wool", "Linen", "Polyester 60% / Cotton 40%"];
const STYLES = ["Slim", "Regular", "Relaxed"];
const TIMEZONES = [0, -300, 330, 60, -420];

interface Live {
  product: Product;
  text: string;
  rejection: Rejection;
  /** Option kinds in order: what option1..3 hold. */
  kinds: ("size" | "color" | "material" | "style")[];
}

class ShopHistory {
  readonly live = new Map<number, Live>();
  readonly final = new Map<number, FinalProduct>();
  nextProductId = 1_000_001;
  nextVariantId = 50_000_001;
  nextImageId = 70_000_001;

  constructor(
    readonly index: number,
    readonly shop: ChaosShop,
    readonly tzMinutes: number,
  ) {}
}

/** Shopify's ISO time with the shop's UTC offset, e.g. 2026-03-01T05:00:02-05:00. */
function shopifyTime(epochMs: number, tzMinutes: number) {
  const local = new Date(epochMs + tzMinutes * 60_000).toISOString().slice(0, 19);
  if (tzMinutes === 0) return `${local}Z`;
  const sign = tzMinutes < 0 ? "-" : "+";
  const abs = Math.abs(tzMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

const escapeHtml = (rng: Random, word: string) =>
  [...word]
    .map((ch) => {
      if (ch === "&") return "&amp;";
      if (ch === "<") return "&lt;";
      if (ch === ">") return "&gt;";
      if (ch === '"') return rng.chance(0.5) ? "&quot;" : "&#34;";
      if (ch === "'") return rng.chance(0.5) ? "&#39;" : "&apos;";
      // Some non-ASCII characters as numeric entities, decimal or hex.
      const code = ch.codePointAt(0)!;
      if (code > 127 && rng.chance(0.2)) return rng.chance(0.5) ? `&#${code};` : `&#x${code.toString(16)};`;
      return ch;
    })
    .join("");

export class ScenarioGenerator {
  private readonly rng: Random;
  private readonly histories: ShopHistory[];
  private clockMs = Date.parse("2026-03-01T00:00:00Z");
  private readonly events: ProductEvent[] = [];
  private readonly changes: Record<string, number> = {};
  private readonly productsPerShop: number;

  constructor(private readonly options: ScenarioOptions) {
    this.rng = new Random(options.seed).fork("scenario");
    const tag = options.tag ?? String(options.seed);
    const currencies = ["EUR", "USD", "JPY", "GBP", "CAD", "CHF", "SEK", "AUD"];
    this.histories = Array.from({ length: options.shops }, (_, i) => {
      const domain = `chaos-${tag}-${i}.myshopify.com`;
      const shop: ChaosShop = {
        domain,
        currency: currencies[i % currencies.length],
        primaryDomain: i % 2 === 0 ? `shop${i}.example.com` : null,
      };
      const history = new ShopHistory(i, shop, TIMEZONES[i % TIMEZONES.length]);
      if (options.sharedCatalogShop && i === options.shops - 1 && i > 0) {
        history.nextProductId = 9_000_001;
        history.nextVariantId = 90_000_001;
        history.nextImageId = 97_000_001;
      }
      return history;
    });
    // About a dozen changes per product over the run.
    const eventsPerShop = options.deliveries / 1.3 / options.shops;
    this.productsPerShop = options.productsPerShop ?? Math.max(15, Math.round(eventsPerShop / 12));
  }

  generate(): Scenario {
    const target = this.options.deliveries;
    // Deliveries per event average ~1.25; generate until the schedule reaches the target.
    while (this.events.length * 1.25 < target) this.step();
    const deliveries = this.schedule(target);
    const final = new Map<string, Map<number, FinalProduct>>();
    for (const h of this.histories) {
      for (const [id, live] of h.live) h.final.set(id, { product: live.product, text: live.text, rejection: live.rejection });
      final.set(h.shop.domain, h.final);
    }
    const counts = { original: 0, duplicate: 0, "retry-later": 0, delayed: 0 };
    for (const d of deliveries) counts[d.kind]++;
    return {
      seed: this.options.seed,
      shops: this.histories.map((h) => h.shop),
      events: this.events,
      deliveries,
      final,
      counts: { ...counts, events: this.events.length, changes: { ...this.changes } },
    };
  }

  // --- the history -----------------------------------------------------------------

  private step() {
    const h = this.rng.pick(this.histories);
    const live = [...h.live.values()];
    const fill = live.length / this.productsPerShop;
    const change = live.length === 0
      ? "create"
      : this.rng.weighted({
          create: fill < 0.6 ? 30 : fill < 1 ? 6 : 0,
          price: 20,
          inventory: 20,
          text: 8,
          "variant-add": 6,
          "variant-remove": 6,
          status: 9,
          images: 5,
          vendor: 3,
          delete: 4,
        });
    this.changes[change] = (this.changes[change] ?? 0) + 1;
    if (change === "create") return this.create(h);
    const target = this.rng.pick(live);
    if (change === "delete") return this.remove(h, target);
    this.update(h, target, change);
  }

  private tick() {
    this.clockMs += this.rng.int(1, 3) * 1000;
    return this.clockMs;
  }

  private emit(h: ShopHistory, productId: number, topic: Topic, change: string, payload: unknown) {
    this.events.push({
      seq: this.events.length,
      shop: h.shop.domain,
      productId,
      topic,
      change,
      webhookId: this.rng.uuid(),
      body: JSON.stringify(payload),
    });
  }

  private snapshot(h: ShopHistory, live: Live) {
    live.product.updated_at = shopifyTime(this.tick(), h.tzMinutes);
    return structuredClone(live.product);
  }

  private words(n: number, pools: string[][] = [ASCII_WORDS, ASCII_WORDS, ASCII_WORDS, UNICODE_WORDS, PUNCT_WORDS]) {
    return Array.from({ length: n }, () => this.rng.pick(this.rng.pick(pools)));
  }

  private title(): string {
    const rng = this.rng;
    if (rng.chance(0.06)) {
      // Longer than Meta's 200: cut on a character boundary, sometimes right at an emoji.
      const pools = rng.chance(0.5) ? [ASCII_WORDS, UNICODE_WORDS] : [["😀", "👨‍👩‍👧", "🇫🇷", "𝔘𝔫𝔦"], ASCII_WORDS];
      return this.words(rng.int(40, 70), pools).join(" ");
    }
    const words = this.words(rng.int(2, 5));
    words[0] = words[0].charAt(0).toUpperCase() + words[0].slice(1);
    return words.join(" ");
  }

  /** body_html and the plain text the catalog should show for it. */
  private description(): { html: string; text: string } {
    const rng = this.rng;
    if (rng.chance(0.1)) return { html: "", text: "" };
    const blocks = rng.chance(0.03) ? rng.int(120, 160) : rng.int(1, 4);
    const html: string[] = [];
    const lines: string[] = [];
    const renderWords = (words: string[]) =>
      words.map((w) => {
        const e = escapeHtml(rng, w);
        return rng.chance(0.15) ? `<${rng.pick(["strong", "em", "span class=\"x\""])}>${e}</${rng.pick(["strong", "em", "span"])}>` : e;
      });
    for (let b = 0; b < blocks; b++) {
      if (rng.chance(0.15)) {
        const items = Array.from({ length: rng.int(1, 4) }, () => this.words(rng.int(1, 5)));
        html.push(`<ul>${items.map((w) => `<li>${renderWords(w).join(" ")}</li>`).join("")}</ul>`);
        lines.push(...items.map((w) => w.join(" ")));
      } else {
        // A paragraph, possibly broken with <br>.
        const parts = Array.from({ length: rng.chance(0.2) ? 2 : 1 }, () => this.words(rng.int(3, 18)));
        html.push(`<p>${parts.map((w) => renderWords(w).join(" ")).join(rng.pick(["<br>", "<br/>", "<br />"]))}</p>`);
        lines.push(...parts.map((w) => w.join(" ")));
      }
    }
    // Poison (issue 14): a reference to no character (browsers read U+FFFD; it threw and stalled the shop),
    // and rarely a long run of unclosed '<' (quadratic for the old tag stripping; read as text), last.
    if (rng.chance(0.02)) {
      html.push(`<p>Mark &#${rng.pick(["99999999", "x110000", "xD800", "0"])}; here</p>`);
      lines.push("Mark \uFFFD here");
    }
    if (rng.chance(0.003)) {
      const run = "<".repeat(rng.int(20_000, 40_000));
      html.push(`<p>Heavy ${run}`);
      lines.push(`Heavy ${run}`);
      return { html: html.join(""), text: lines.join("\n") };
    }
    if (rng.chance(0.05)) html.push("<script>alert('x')</script><style>p{}</style>");
    return { html: html.join(rng.chance(0.5) ? "" : "\n"), text: lines.join("\n") };
  }

  private price() {
    const rng = this.rng;
    return rng.chance(0.05) ? `0.${String(rng.int(1, 99)).padStart(2, "0")}` : `${rng.int(1, 999)}.${String(rng.int(0, 99)).padStart(2, "0")}`;
  }

  private compareAt(price: string): string | null {
    const rng = this.rng;
    const roll = rng.next();
    if (roll < 0.3) return (Number(price) + rng.int(1, 50) + 0.5).toFixed(2);
    if (roll < 0.35) return price;
    if (roll < 0.4) return (Math.max(0, Number(price) - 0.5)).toFixed(2);
    return null;
  }

  private optionValue(kind: Live["kinds"][number]) {
    const rng = this.rng;
    if (kind === "size") return rng.pick(SIZES);
    if (kind === "color") return rng.chance(0.03) ? `${rng.pick(COLORS)} ${"and more ".repeat(15)}`.trim() : rng.pick(COLORS);
    if (kind === "material") return rng.pick(MATERIALS);
    return rng.pick(STYLES);
  }

  private variant(h: ShopHistory, live: Pick<Live, "kinds">, position: number): Variant {
    const rng = this.rng;
    const price = this.price();
    const values = live.kinds.map((k) => this.optionValue(k));
    return {
      id: h.nextVariantId++,
      title: values.join(" / ") || "Default Title",
      price,
      compare_at_price: this.compareAt(price),
      sku: `SKU-${h.nextVariantId}`,
      barcode: rng.chance(0.5) ? String(rng.int(1e6, 9e6)) : null,
      inventory_quantity: rng.chance(0.1) ? 0 : rng.int(-5, 60),
      inventory_policy: rng.chance(0.15) ? "continue" : "deny",
      inventory_management: rng.chance(0.8) ? "shopify" : null,
      option1: values[0] ?? null,
      option2: values[1] ?? null,
      option3: values[2] ?? null,
      image_id: null,
      position,
    };
  }

  private images(h: ShopHistory, productId: number, count: number, rejection: Rejection): Image[] {
    const images = Array.from({ length: count }, (_, i) => ({
      id: h.nextImageId++,
      src: `https://cdn.example.com/s${h.index}/p${productId}/${i + 1}-${this.rng.int(1, 9999)}.jpg`,
      position: i + 1,
      variant_ids: [] as number[],
    }));
    // Pinned for the product's life: Meta refuses the URL (a space in it).
    if (rejection === "bad-image") images.push({ id: h.nextImageId++, src: `https://cdn.example.com/s${h.index}/p${productId}/bad image.jpg`, position: count + 1, variant_ids: [] });
    return images;
  }

  private setImages(live: Live, images: Image[]) {
    const sorted = [...images].sort((a, b) => a.position - b.position);
    live.product.images = sorted;
    live.product.image = sorted[0] ?? null;
  }

  private create(h: ShopHistory, from?: Live) {
    const rng = this.rng;
    const id = h.nextProductId++;
    const rejection: Rejection = from?.rejection ?? rng.weighted({ none: 86, "no-color": 8, "bad-image": 6 });
    let kinds: Live["kinds"];
    if (from) kinds = from.kinds;
    else if (rejection === "no-color") kinds = rng.chance(0.5) ? ["size"] : ["size", "style"];
    else kinds = rng.weighted({ a: 5, b: 2, c: 2 }) === "a" ? ["size", "color"] : rng.chance(0.5) ? ["color", "size", "material"] : ["size", "color", "style"];
    const names: Record<Live["kinds"][number], string[]> = {
      size: ["Size", "size", "SIZE"],
      color: ["Color", "Colour", "color", " Color "],
      material: ["Material"],
      style: ["Style", "Fit"],
    };
    const { html, text } = from ? { html: from.product.body_html, text: from.text } : this.description();
    const title = from ? from.product.title : this.title();
    const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40) || "product";
    const live: Live = {
      rejection,
      kinds,
      text,
      product: {
        id,
        admin_graphql_api_id: `gid://shopify/Product/${id}`,
        title,
        body_html: html,
        vendor: rng.chance(0.1) ? "" : rng.chance(0.03) ? "Very Long Vendor Name ".repeat(6).trim() : rng.pick(["Acme", "Nordwind GmbH", "Café & Co", "北風"]),
        product_type: "Apparel",
        // Re-created products take the old handle (Shopify frees it on delete).
        handle: from ? from.product.handle : rng.chance(0.05) ? `café-тест-${id}` : `${slug}-${id}`,
        status: "active",
        published_at: "2026-01-01T00:00:00Z",
        updated_at: "",
        tags: "chaos",
        options: kinds.map((k, i) => ({ name: rng.pick(names[k]), position: i + 1 })),
        variants: [],
        images: [],
        image: null,
      },
    };
    live.product.variants = Array.from({ length: from ? from.product.variants.length : rng.int(1, 4) }, (_, i) => this.variant(h, live, i + 1));
    this.setImages(live, this.images(h, id, rng.chance(0.08) ? 0 : rng.int(1, 4), rejection));
    h.live.set(id, live);
    this.emit(h, id, "products/create", from ? "recreate" : "create", this.snapshot(h, live));
  }

  private remove(h: ShopHistory, live: Live) {
    const id = live.product.id;
    h.live.delete(id);
    h.final.set(id, { product: null, text: "", rejection: live.rejection });
    this.tick();
    this.emit(h, id, "products/delete", "delete", { id });
    // Often the merchant re-creates it: same content and handle, a new id.
    if (this.rng.chance(0.5)) this.create(h, live);
  }

  private update(h: ShopHistory, live: Live, change: string) {
    const rng = this.rng;
    const p = live.product;
    switch (change) {
      case "price": {
        const v = rng.pick(p.variants);
        v.price = this.price();
        v.compare_at_price = this.compareAt(v.price);
        break;
      }
      case "inventory": {
        for (const v of p.variants) {
          if (!rng.chance(0.6)) continue;
          v.inventory_quantity = rng.chance(0.25) ? 0 : rng.int(-3, 80);
          if (rng.chance(0.1)) v.inventory_policy = v.inventory_policy === "deny" ? "continue" : "deny";
          if (rng.chance(0.05)) v.inventory_management = v.inventory_management ? null : "shopify";
        }
        break;
      }
      case "text": {
        if (rng.chance(0.5)) p.title = this.title();
        if (rng.chance(0.6)) {
          const d = this.description();
          p.body_html = d.html;
          live.text = d.text;
        }
        break;
      }
      case "variant-add": {
        if (p.variants.length >= 6) break;
        const v = this.variant(h, live, p.variants.length + 1);
        if (p.images.length && rng.chance(0.4)) v.image_id = rng.pick(p.images).id;
        p.variants.push(v);
        break;
      }
      case "variant-remove": {
        if (p.variants.length <= 1) break;
        p.variants.splice(rng.int(0, p.variants.length - 1), 1);
        p.variants.forEach((v, i) => (v.position = i + 1));
        break;
      }
      case "status": {
        const roll = rng.weighted({ active: 5, draft: 2, archived: 1, unlisted: 1, unpublish: 1 });
        if (roll === "unpublish") {
          p.status = "active";
          p.published_at = null;
        } else {
          p.status = roll;
          p.published_at = rng.chance(0.95) ? "2026-01-01T00:00:00Z" : p.published_at;
        }
        break;
      }
      case "images": {
        const roll = rng.weighted({ remove: 2, replace: 3, reorder: 2, "variant-image": 3 });
        const good = p.images.filter((i) => !i.src.includes(" "));
        if (roll === "remove") {
          this.setImages(live, this.images(h, p.id, 0, live.rejection));
        } else if (roll === "replace") {
          this.setImages(live, this.images(h, p.id, rng.int(1, 5), live.rejection));
        } else if (roll === "reorder" && good.length > 1) {
          const order = [...good].sort(() => rng.next() - 0.5);
          order.forEach((img, i) => (img.position = i + 1));
          const bad = p.images.filter((i) => i.src.includes(" "));
          bad.forEach((img, i) => (img.position = order.length + i + 1));
          this.setImages(live, [...order, ...bad]);
        } else if (good.length) {
          rng.pick(p.variants).image_id = rng.chance(0.8) ? rng.pick(good).id : null;
        }
        // A variant image that is gone falls back to the product image (Shopify clears it too).
        const ids = new Set(p.images.map((i) => i.id));
        for (const v of p.variants) if (v.image_id && !ids.has(v.image_id)) v.image_id = null;
        break;
      }
      case "vendor": {
        p.vendor = rng.chance(0.3) ? "" : rng.pick(["Acme", "Nordwind GmbH", "Café & Co", "北風", "Zeta"]);
        break;
      }
    }
    this.emit(h, p.id, "products/update", change, this.snapshot(h, live));
  }

  // --- the deliveries ----------------------------------------------------------------

  /**
   * Shopify's delivery: every event at least once; 20 % also a second time
   * close by (same webhook id and body); 5 % again minutes later (a retry
   * after a lost answer); 3 % only minutes later (the first attempt never
   * arrived); everything shuffled within a window of a few deliveries.
   */
  private schedule(target: number): Delivery[] {
    const rng = new Random(this.options.seed).fork("deliveries");
    const n = this.events.length;
    const keyed: { key: number; d: Delivery }[] = [];
    const far = (seq: number) => Math.min(seq + rng.int(Math.min(300, n / 4), Math.min(3000, n / 2)), n + rng.int(0, 50));
    for (const event of this.events) {
      const near = () => event.seq + rng.next() * 12;
      if (rng.chance(0.03)) keyed.push({ key: far(event.seq), d: { event, kind: "delayed" } });
      else keyed.push({ key: near(), d: { event, kind: "original" } });
      if (rng.chance(0.2)) keyed.push({ key: near(), d: { event, kind: "duplicate" } });
      if (rng.chance(0.05)) keyed.push({ key: far(event.seq), d: { event, kind: "retry-later" } });
    }
    keyed.sort((a, b) => a.key - b.key);
    const deliveries = keyed.map((k) => k.d);
    // Top up with duplicates if the draw fell short of the requested size.
    while (deliveries.length < target) deliveries.push({ event: rng.pick(this.events), kind: "duplicate" });
    return deliveries;
  }
}

export function generateScenario(options: ScenarioOptions): Scenario {
  return new ScenarioGenerator(options).generate();
}
