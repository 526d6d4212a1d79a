import { describe, expect, it } from "vitest";
import { readiness, type ReadinessFacts } from "./readiness";

const ready: ReadinessFacts = {
  whatsapp: { level: "connected", issues: 0 },
  activeNumber: { phoneNumberId: "111", display: "+1 555-010-0001", registered: true },
  catalog: { state: "CONNECTED", catalogId: "300", catalogName: "Shop catalog" },
  commerce: { linkedCatalogId: "300", linkedCatalogName: "Shop catalog", linkError: null, settings: { cartEnabled: true, catalogVisible: true }, settingsError: null },
  productsInCatalog: 12,
};

const states = (f: ReadinessFacts) => Object.fromEntries(readiness(f).lines.map((l) => [l.id, l.state]));
const lineOf = (f: ReadinessFacts, id: string) => readiness(f).lines.find((l) => l.id === id)!;

describe("the WhatsApp commerce readiness checklist", () => {
  it("is all done when everything holds, with Unlink offered on the link", () => {
    const r = readiness(ready);
    expect(r).toMatchObject({ done: 6, total: 6, ready: true });
    expect(lineOf(ready, "link").secondary).toMatchObject({ kind: "intent", label: "Unlink", body: { intent: "unlink-catalog", catalogId: "300" }, confirm: expect.any(String) });
    expect(lineOf(ready, "products").detail).toBe("12 products are Live: Meta approved them.");
  });

  it("waits on WhatsApp and the catalog before asking anything of the lines that need them", () => {
    const nothing: ReadinessFacts = { whatsapp: { level: "disconnected", issues: 0 }, activeNumber: null, catalog: null, commerce: null, productsInCatalog: 0 };
    expect(states(nothing)).toEqual({ whatsapp: "todo", number: "blocked", catalog: "todo", link: "blocked", settings: "blocked", products: "blocked" });
    expect(lineOf(nothing, "catalog").action).toEqual({ kind: "link", label: "Connect a catalog", url: "/app/catalog" });
    // A connection that needs a reconnect cannot do anything either.
    expect(states({ ...ready, whatsapp: { level: "reconnect", issues: 1 } })).toMatchObject({ whatsapp: "todo", number: "blocked", link: "blocked", settings: "blocked" });
    // Needs attention (a warning) still lets the rest go on.
    expect(states({ ...ready, whatsapp: { level: "attention", issues: 2 } })).toMatchObject({ whatsapp: "todo", number: "done", link: "done" });
    // Meta not answering is nobody's to-do: "Not checked", in the outage's words, and the rest stays usable.
    expect(states({ ...ready, whatsapp: { level: "attention", issues: 0, outage: true } })).toMatchObject({ whatsapp: "unknown", number: "done", link: "done" });
    expect(readiness({ ...ready, whatsapp: { level: "attention", issues: 0, outage: true } }).lines[0].detail).toBe("Meta is not answering; the app retries by itself, nothing is lost.");
  });

  it("gives every line that is to do its one action", () => {
    expect(lineOf({ ...ready, activeNumber: null }, "number").action).toMatchObject({ kind: "scroll", target: "whatsapp-numbers" });
    expect(lineOf({ ...ready, activeNumber: { ...ready.activeNumber!, registered: false } }, "number")).toMatchObject({ state: "todo", detail: "+1 555-010-0001 is not registered for Cloud API yet." });
    expect(lineOf({ ...ready, catalog: { ...ready.catalog!, state: "NEEDS_RECONNECT" } }, "catalog").action).toMatchObject({ label: "Reconnect the catalog" });
    expect(lineOf({ ...ready, commerce: { ...ready.commerce!, linkedCatalogId: null } }, "link").action).toEqual({ kind: "intent", label: "Link catalog", body: { intent: "link-catalog" } });
    expect(lineOf({ ...ready, productsInCatalog: 0 }, "products")).toMatchObject({ state: "todo", action: { url: "/app/catalog" } });
    const hidden = lineOf({ ...ready, commerce: { ...ready.commerce!, settings: { cartEnabled: false, catalogVisible: false } } }, "settings");
    expect(hidden).toMatchObject({ state: "todo", action: { body: { intent: "set-commerce", cartEnabled: true, catalogVisible: true } } });
    expect(hidden.detail).toBe("In chats with +1 555-010-0001, your catalog is hidden (no shop icon in the chat) and the cart is off.");
  });

  it("replaces another linked catalog only through a confirmation naming that catalog", () => {
    const other = lineOf({ ...ready, commerce: { ...ready.commerce!, linkedCatalogId: "999", linkedCatalogName: "Agency catalog" } }, "link");
    expect(other).toMatchObject({
      state: "todo",
      detail: "Another catalog, “Agency catalog”, is linked, and WhatsApp allows one catalog per account.",
      action: { kind: "intent", label: "Replace with “Shop catalog”", body: { intent: "link-catalog", replaceCatalogId: "999" } },
    });
    expect((other.action as { confirm: string }).confirm).toMatch(/^Replace “Agency catalog” with “Shop catalog”\?/);
  });

  it("says when Meta could not be asked, with the reason and Check again", () => {
    const f = { ...ready, commerce: { ...ready.commerce!, linkError: "Meta refused ...: the connection lacks “Manage your catalogs (catalog_management)”.", settings: null, settingsError: "Meta did not answer." } };
    expect(lineOf(f, "link")).toMatchObject({ state: "unknown", detail: expect.stringContaining("catalog_management"), action: { body: { intent: "refresh-commerce" } } });
    expect(lineOf(f, "settings")).toMatchObject({ state: "unknown", detail: "Meta did not answer." });
    expect(states({ ...ready, commerce: null })).toMatchObject({ link: "unknown", settings: "unknown" });
  });
});
