import type { Db } from "../db.server";
import { logger } from "../logger.server";
import { MetaGraphError, type LinkedCatalog, type MetaGraphClient } from "../meta/index.server";
import { withToken } from "./connection.server";
import { fail, WhatsAppStepFailed } from "./failures";
import { describeMetaError } from "./meta-failure.server";

/**
 * WhatsApp commerce (issue 18): the catalog linked to the shop's WABA and the
 * sending number's commerce settings. Every call uses the shop's WhatsApp
 * token. Linking needs that token to hold catalog_management on the catalog
 * as well as the WABA's management permission (Meta's product_catalogs
 * reference lists both); when it does not, Meta answers (#200) naming the
 * permission, and the merchant is told to reconnect WhatsApp and grant it.
 * What Meta answered is kept in WhatsAppCommerce for the readiness checklist.
 */

const log = logger.child({ module: "whatsapp-commerce" });

export interface CommerceFacts {
  wabaId: string;
  linkedCatalogId: string | null;
  linkedCatalogName: string | null;
  phoneNumberId: string | null;
  cartEnabled: boolean | null;
  catalogVisible: boolean | null;
  checkedAt: Date | null;
  linkError: string | null;
  settingsError: string | null;
}

export function loadCommerce(db: Db, shop: string): Promise<CommerceFacts | null> {
  return db.whatsAppCommerce.findUnique({
    where: { shop },
    select: {
      wabaId: true,
      linkedCatalogId: true,
      linkedCatalogName: true,
      phoneNumberId: true,
      cartEnabled: true,
      catalogVisible: true,
      checkedAt: true,
      linkError: true,
      settingsError: true,
    },
  });
}

type CommerceUpdate = Partial<Omit<CommerceFacts, "wabaId">>;

async function store(db: Db, shop: string, wabaId: string, data: CommerceUpdate) {
  await db.whatsAppCommerce.upsert({ where: { shop }, create: { shop, wabaId, ...data }, update: { wabaId, ...data } });
}

/** A Graph error from a commerce step, in the merchant's words; a missing permission says where to grant it. */
function explain(error: MetaGraphError, step: string) {
  const failure = describeMetaError(error, step, "link_failed");
  if (failure.code === "missing_permissions") {
    failure.message += " On this page, click Reconnect and, in Meta's window, allow the app to manage your catalog as well as your WhatsApp account.";
  }
  return failure;
}

const linkedFacts = (linked: LinkedCatalog | undefined): CommerceUpdate => ({ linkedCatalogId: linked?.id ?? null, linkedCatalogName: linked?.name ?? null, linkError: null });

async function connected(db: Db, shop: string) {
  const row = await db.whatsAppConnection.findUnique({
    where: { shop },
    select: { state: true, wabaId: true, phoneNumbers: { where: { active: true }, select: { phoneNumberId: true, registered: true, displayPhoneNumber: true } } },
  });
  if (row?.state === "NEEDS_RECONNECT") fail("not_connected", "Reconnect WhatsApp first: Meta no longer accepts the current connection.");
  if (row?.state !== "CONNECTED") fail("not_connected", "Connect WhatsApp first.");
  return { wabaId: row.wabaId, number: row.phoneNumbers[0] ?? null };
}

/**
 * Reads the link and the active number's settings from Meta and stores them.
 * A step Meta refuses is stored as that step's error (the other still
 * counts); a connection that is not usable is left alone.
 */
export async function refreshCommerce(db: Db, client: MetaGraphClient, shop: string): Promise<"checked" | "skipped"> {
  let account: Awaited<ReturnType<typeof connected>>;
  try {
    account = await connected(db, shop);
  } catch (error) {
    if (error instanceof WhatsAppStepFailed) return "skipped";
    throw error;
  }
  const update: CommerceUpdate = { checkedAt: new Date(), phoneNumberId: account.number?.phoneNumberId ?? null };
  try {
    update.linkError = null;
    Object.assign(update, linkedFacts((await withToken(db, shop, (token) => client.listLinkedCatalogs(token, account.wabaId)))[0]));
  } catch (error) {
    if (!(error instanceof MetaGraphError || error instanceof WhatsAppStepFailed)) throw error;
    update.linkError = error instanceof WhatsAppStepFailed ? error.failure.message : explain(error, "reading the catalog linked to your WhatsApp account").message;
  }
  if (account.number) {
    try {
      const settings = await withToken(db, shop, (token) => client.getCommerceSettings(token, account.number!.phoneNumberId));
      Object.assign(update, { cartEnabled: settings.cartEnabled, catalogVisible: settings.catalogVisible, settingsError: null });
    } catch (error) {
      if (!(error instanceof MetaGraphError || error instanceof WhatsAppStepFailed)) throw error;
      const message = error instanceof WhatsAppStepFailed ? error.failure.message : explain(error, "reading your number's commerce settings").message;
      Object.assign(update, { cartEnabled: null, catalogVisible: null, settingsError: message });
    }
  } else Object.assign(update, { cartEnabled: null, catalogVisible: null, settingsError: null });
  await store(db, shop, account.wabaId, update);
  return "checked";
}

/** Refreshes when the stored facts are older than `ttlMs`, about another WABA or another number. */
export async function refreshCommerceIfStale(db: Db, client: MetaGraphClient, shop: string, ttlMs: number) {
  const [facts, connection] = await Promise.all([
    loadCommerce(db, shop),
    db.whatsAppConnection.findUnique({ where: { shop }, select: { state: true, wabaId: true, phoneNumbers: { where: { active: true }, select: { phoneNumberId: true } } } }),
  ]);
  if (connection?.state !== "CONNECTED") return "skipped";
  const fresh =
    facts?.checkedAt &&
    Date.now() - facts.checkedAt.getTime() < ttlMs &&
    facts.wabaId === connection.wabaId &&
    facts.phoneNumberId === (connection.phoneNumbers[0]?.phoneNumberId ?? null);
  return fresh ? "fresh" : refreshCommerce(db, client, shop);
}

async function catalogOfShop(db: Db, shop: string) {
  const catalog = await db.catalogConnection.findUnique({ where: { shop }, select: { state: true, catalogId: true, catalogName: true } });
  if (!catalog?.catalogId || catalog.state === "DISCONNECTED") fail("catalog_not_connected", "Connect a catalog first (Catalog page), then link it here.");
  return { id: catalog.catalogId, name: catalog.catalogName };
}

const named = (c: { id: string; name: string | null }) => (c.name ? `“${c.name}” (${c.id})` : c.id);

async function step<T>(label: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof MetaGraphError) throw new WhatsAppStepFailed(explain(error, label));
    throw error;
  }
}

/**
 * Links the shop's catalog to its WABA. Meta allows one catalog per WABA: when
 * another is linked, the merchant must confirm replacing that very catalog
 * (`replaceCatalogId`), and the app unlinks it first.
 */
export async function linkCatalog(db: Db, client: MetaGraphClient, shop: string, opts: { replaceCatalogId?: string } = {}) {
  const { wabaId } = await connected(db, shop);
  const catalog = await catalogOfShop(db, shop);
  const current = (await step("reading the catalog linked to your WhatsApp account", () => withToken(db, shop, (t) => client.listLinkedCatalogs(t, wabaId))))[0];
  if (opts.replaceCatalogId !== undefined && opts.replaceCatalogId !== current?.id) {
    await store(db, shop, wabaId, linkedFacts(current));
    fail("catalog_link_taken", "The catalog you chose to replace is not the one linked to your WhatsApp account any more. The page now shows the current link.");
  }
  if (current?.id === catalog.id) {
    await store(db, shop, wabaId, linkedFacts(current));
    return { kind: "already" as const };
  }
  if (current && opts.replaceCatalogId !== current.id) {
    await store(db, shop, wabaId, linkedFacts(current));
    fail(
      "catalog_link_taken",
      `Your WhatsApp account is linked to another catalog, ${named(current)}, and WhatsApp allows one catalog per account. ` +
        `Replace it with ${named(catalog)} only if nothing else sends products from it.`,
      { linkedCatalogId: current.id, linkedCatalogName: current.name },
    );
  }
  if (current) {
    await step(`unlinking ${named(current)} from your WhatsApp account`, () => withToken(db, shop, (t) => client.unlinkCatalog(t, wabaId, current.id)));
    await store(db, shop, wabaId, linkedFacts(undefined));
  }
  await step(`linking ${named(catalog)} to your WhatsApp account`, () => withToken(db, shop, (t) => client.linkCatalog(t, wabaId, catalog.id)));
  await store(db, shop, wabaId, linkedFacts(catalog));
  log.info({ shop, wabaId, catalogId: catalog.id, replaced: current?.id ?? null }, "catalog linked to the whatsapp account");
  return { kind: current ? ("replaced" as const) : ("linked" as const) };
}

/** Unlinks `catalogId` from the WABA, only if it is still the linked one (the page showed it). */
export async function unlinkCatalog(db: Db, client: MetaGraphClient, shop: string, catalogId: string) {
  const { wabaId } = await connected(db, shop);
  const current = (await step("reading the catalog linked to your WhatsApp account", () => withToken(db, shop, (t) => client.listLinkedCatalogs(t, wabaId))))[0];
  if (current?.id !== catalogId) {
    await store(db, shop, wabaId, linkedFacts(current));
    fail("catalog_not_linked", "That catalog is not linked to your WhatsApp account (any more). The page now shows the current link.");
  }
  await step(`unlinking ${named(current)} from your WhatsApp account`, () => withToken(db, shop, (t) => client.unlinkCatalog(t, wabaId, catalogId)));
  await store(db, shop, wabaId, linkedFacts(undefined));
  log.info({ shop, wabaId, catalogId }, "catalog unlinked from the whatsapp account");
}

/** Sets the active number's commerce settings, then reads them back as Meta stored them. */
export async function setCommerceSettings(db: Db, client: MetaGraphClient, shop: string, settings: { cartEnabled: boolean; catalogVisible: boolean }) {
  const { wabaId, number } = await connected(db, shop);
  if (!number) fail("no_active_number", "Choose the number to send from first (Phone numbers › Use for sending).");
  const phoneNumberId = number.phoneNumberId;
  const label = `changing the commerce settings of ${number.displayPhoneNumber}`;
  const stored = await step(label, async () => {
    await withToken(db, shop, (t) => client.setCommerceSettings(t, phoneNumberId, settings));
    return withToken(db, shop, (t) => client.getCommerceSettings(t, phoneNumberId));
  }).catch((error: unknown) => {
    if (error instanceof WhatsAppStepFailed && error.failure.code === "link_failed") error.failure.code = "commerce_settings_failed";
    throw error;
  });
  await store(db, shop, wabaId, { phoneNumberId, cartEnabled: stored.cartEnabled, catalogVisible: stored.catalogVisible, settingsError: null });
  return stored;
}
