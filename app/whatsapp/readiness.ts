import { OUTAGE_MESSAGE, type HealthLevel } from "./health-status";

/**
 * The WhatsApp commerce readiness checklist (issue 18): what must hold before
 * a product can be sent in a chat, each line done or with its one action.
 * Pure: computed from stored facts (no Graph call), shared by the WhatsApp
 * page and the Overview.
 */

export type LineId = "whatsapp" | "number" | "catalog" | "link" | "settings" | "products";
/** done; todo (the action fixes it); blocked (an earlier line must be done first); unknown (Meta could not be asked). */
export type LineState = "done" | "todo" | "blocked" | "unknown";

export type LineAction =
  /** A WhatsApp page action (same body as the page's fetcher posts). `confirm`: ask first, in these words. */
  | { kind: "intent"; label: string; body: Record<string, unknown>; confirm?: string }
  /** Another page of the app. */
  | { kind: "link"; label: string; url: string }
  /** A card of the WhatsApp page (its element id): its own buttons do the job (connect, reconnect, register with a PIN...). */
  | { kind: "scroll"; label: string; target: string };

export interface ReadinessLine {
  id: LineId;
  title: string;
  state: LineState;
  detail: string;
  action: LineAction | null;
  /** A second, quieter action on a done line (Unlink). */
  secondary?: LineAction;
}

export interface Readiness {
  lines: ReadinessLine[];
  done: number;
  total: number;
  ready: boolean;
}

export interface ReadinessFacts {
  /** The connection's verdict; its issues are spelled out on the connection card (not repeated here). */
  /** `outage`: Meta did not answer the last check (nothing for the merchant to do). */
  whatsapp: { level: HealthLevel; issues: number; outage?: boolean };
  activeNumber: { phoneNumberId: string; display: string; registered: boolean } | null;
  catalog: { state: string; catalogId: string | null; catalogName: string | null } | null;
  /** What Meta said about the current WABA (and, for the settings, the current number); null if never checked. */
  commerce: {
    linkedCatalogId: string | null;
    linkedCatalogName: string | null;
    linkError: string | null;
    settings: { cartEnabled: boolean; catalogVisible: boolean } | null;
    settingsError: string | null;
  } | null;
  /** Products in the catalog: see app/catalog/products-in-catalog.server.ts (SYNCED today, Live after issue 17). */
  productsInCatalog: number;
}

const named = (name: string | null, id: string) => (name ? `“${name}”` : `catalog ${id}`);

type LineBody = Omit<ReadinessLine, "id" | "title">;
const body = (state: LineState, detail: string, action: LineAction | null = null, secondary?: LineAction): LineBody => ({
  state,
  detail,
  action,
  ...(secondary ? { secondary } : {}),
});
const scroll = (label: string, target: string): LineAction => ({ kind: "scroll", label, target });
const goTo = (label: string, url: string): LineAction => ({ kind: "link", label, url });

export function readiness(f: ReadinessFacts): Readiness {
  const lines: ReadinessLine[] = [];
  const wa = f.whatsapp.level;
  const waUsable = wa === "connected" || wa === "attention";

  // 1. WhatsApp connected and healthy
  lines.push({
    id: "whatsapp",
    title: "WhatsApp connected and healthy",
    ...(wa === "connected"
      ? body("done", "Meta accepts the connection and reports no problem.")
      : wa === "attention" && f.whatsapp.outage && f.whatsapp.issues === 0
        ? body("unknown", OUTAGE_MESSAGE)
        : wa === "attention"
        ? body(
            "todo",
            `${f.whatsapp.issues === 1 ? "One thing needs" : `${f.whatsapp.issues} things need`} your attention: the connection above says what to do.`,
            scroll("See what to do", "whatsapp-connection"),
          )
        : wa === "reconnect"
          ? body("todo", "Meta no longer accepts the connection: the connection above says why and how to repair it.", scroll("Go to the connection", "whatsapp-connection"))
          : body("todo", "No WhatsApp Business Account is connected.", scroll("Go to the connection", "whatsapp-connection"))),
  });

  // 2. Sending number registered
  const n = f.activeNumber;
  lines.push({
    id: "number",
    title: "Sending number registered",
    ...(!waUsable
      ? body("blocked", "Connect WhatsApp first.")
      : !n
        ? body("todo", "Choose which of your numbers sends messages.", scroll("Go to Phone numbers", "whatsapp-numbers"))
        : !n.registered
          ? body("todo", `${n.display} is not registered for Cloud API yet.`, scroll("Go to Phone numbers", "whatsapp-numbers"))
          : body("done", `${n.display} sends your messages.`)),
  });

  // 3. Catalog connected
  const c = f.catalog;
  const catalogOk = c?.state === "CONNECTED" && Boolean(c.catalogId);
  lines.push({
    id: "catalog",
    title: "Catalog connected",
    ...(catalogOk
      ? body("done", `${named(c!.catalogName, c!.catalogId!)} receives your products.`)
      : c?.state === "NEEDS_RECONNECT"
        ? body("todo", "The catalog connection needs a reconnect.", goTo("Reconnect the catalog", "/app/catalog"))
        : body("todo", "No Meta catalog is connected.", goTo("Connect a catalog", "/app/catalog"))),
  });

  // 4. Catalog linked to this WhatsApp account
  const m = f.commerce;
  const ours = catalogOk ? { id: c!.catalogId!, name: c!.catalogName } : null;
  const check: LineAction = { kind: "intent", label: "Check again", body: { intent: "refresh-commerce" } };
  let link: LineBody;
  if (!waUsable || !ours) link = body("blocked", !waUsable ? "Connect WhatsApp first." : "Connect a catalog first.");
  else if (!m || m.linkError) link = body("unknown", m?.linkError ?? "Not checked with Meta yet.", check);
  else if (m.linkedCatalogId === ours.id) {
    link = body("done", `${named(ours.name, ours.id)} is linked: WhatsApp can show its products.`, null, {
      kind: "intent",
      label: "Unlink",
      body: { intent: "unlink-catalog", catalogId: ours.id },
      confirm: `Unlink ${named(ours.name, ours.id)}? Product messages stop working until you link a catalog again.`,
    });
  } else if (m.linkedCatalogId) {
    const other = named(m.linkedCatalogName, m.linkedCatalogId);
    link = body("todo", `Another catalog, ${other}, is linked, and WhatsApp allows one catalog per account.`, {
      kind: "intent",
      label: `Replace with ${named(ours.name, ours.id)}`,
      body: { intent: "link-catalog", replaceCatalogId: m.linkedCatalogId },
      confirm: `Replace ${other} with ${named(ours.name, ours.id)}? Products of ${other} can then no longer be sent from this WhatsApp account.`,
    });
  } else link = body("todo", "No catalog is linked to this WhatsApp account.", { kind: "intent", label: "Link catalog", body: { intent: "link-catalog" } });
  lines.push({ id: "link", title: "Catalog linked to this WhatsApp account", ...link });

  // 5. Commerce settings: catalog shown and cart on
  const numberOk = waUsable && Boolean(n?.registered);
  let settings: LineBody;
  if (!numberOk) settings = body("blocked", "Choose and register a sending number first.");
  else if (!m || m.settingsError || !m.settings) settings = body("unknown", m?.settingsError ?? "Not checked with Meta yet.", check);
  else if (m.settings.cartEnabled && m.settings.catalogVisible) {
    settings = body("done", `Customers chatting with ${n!.display} see your catalog and can add products to a cart.`);
  } else {
    const off = [!m.settings.catalogVisible && "your catalog is hidden (no shop icon in the chat)", !m.settings.cartEnabled && "the cart is off"].filter(Boolean).join(" and ");
    settings = body("todo", `In chats with ${n!.display}, ${off}.`, { kind: "intent", label: "Turn on", body: { intent: "set-commerce", cartEnabled: true, catalogVisible: true } });
  }
  lines.push({ id: "settings", title: "Catalog shown and cart on", ...settings });

  // 6. Products Meta shows: Live, its review approved (issue 17)
  lines.push({
    id: "products",
    title: "At least one product Live in the catalog",
    ...(!catalogOk
      ? body("blocked", "Connect a catalog first.")
      : f.productsInCatalog > 0
        ? body("done", `${f.productsInCatalog.toLocaleString("en-US")} ${f.productsInCatalog === 1 ? "product is" : "products are"} Live: Meta approved ${f.productsInCatalog === 1 ? "it" : "them"}.`)
        : body("todo", "No product is Live yet: Meta has not approved any product of the catalog. The Catalog page shows what Meta said about each.", goTo("Open the catalog", "/app/catalog"))),
  });

  const done = lines.filter((l) => l.state === "done").length;
  return { lines, done, total: lines.length, ready: done === lines.length };
}
