import { z } from "zod";
import type { Db } from "../db.server";
import { firstProblem, merchantErrors, type FieldLabels } from "../form-errors";
import { oauthRedirectUri } from "../meta/login-settings.server";
import { explainGraphError } from "../meta/explain";
import { MetaGraphError, SecretValue, type MetaGraphClient } from "../meta/index.server";
import { CatalogConnectError, chooseCatalog, disconnectCatalog, saveCatalogToken } from "./connect.server";
import { startFullSync } from "./full-sync-state.server";
import { setProductSync } from "./status.server";

/**
 * The catalog page's form actions, validated with zod. Each returns what the
 * page shows next; errors come back in the merchant's words, never with a
 * token in them.
 */

const productId = z.string().regex(/^\d{1,20}$/, "Unknown product");

export const CatalogAction = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("connect-token"), token: z.string().trim().min(20, "Paste the whole access token").max(1000) }),
  // Where the code came from, not a redirect URI: the app exchanges dialog codes with its own callback only (issue 14).
  z.object({ intent: z.literal("connect-code"), code: z.string().min(1).max(2000), via: z.enum(["sdk", "dialog"]).default("sdk") }),
  z.object({ intent: z.literal("choose-catalog"), catalogId: z.string().regex(/^\d{1,30}$/, "Choose a catalog") }),
  z.object({ intent: z.literal("disconnect") }),
  z.object({ intent: z.literal("resync") }),
  z.object({ intent: z.enum(["sync", "exclude", "include"]), productId }),
]);
export type CatalogAction = z.infer<typeof CatalogAction>;

/** The fields a merchant fills in, as the catalog pages label them. */
const CATALOG_FIELDS: FieldLabels = { token: "The access token" };

export type ActionResult = { ok: true; message: string } | { ok: false; error: string };

const checkingToken = { doing: "checking the catalog token", access: "the token", reconnect: "Create a new token or log in again" };

export async function runCatalogAction(db: Db, client: MetaGraphClient, shop: string, action: CatalogAction): Promise<ActionResult> {
  try {
    switch (action.intent) {
      case "connect-token": {
        const result = await saveCatalogToken(db, client, shop, new SecretValue(action.token));
        return { ok: true, message: result.connected ? "Catalog reconnected. Syncing resumes." : "Token accepted. Choose the catalog to sync." };
      }
      case "connect-code": {
        const { token } = await client.exchangeCode(action.code, action.via === "dialog" ? { redirectUri: oauthRedirectUri() } : {});
        const result = await saveCatalogToken(db, client, shop, token);
        return { ok: true, message: result.connected ? "Catalog reconnected. Syncing resumes." : "Connected to Meta. Choose the catalog to sync." };
      }
      case "choose-catalog": {
        const catalog = await chooseCatalog(db, client, shop, action.catalogId);
        await startFullSync(db, shop, "connect");
        return { ok: true, message: `Connected to ${catalog.name ?? catalog.id}. A full sync has started.` };
      }
      case "disconnect":
        await disconnectCatalog(db, shop);
        return { ok: true, message: "Catalog disconnected. Products stay in Meta until you delete them there." };
      case "resync":
        await startFullSync(db, shop);
        return { ok: true, message: "Full sync started." };
      case "sync":
      case "exclude":
      case "include": {
        const found = await setProductSync(db, shop, action.productId, action.intent);
        if (!found) return { ok: false, error: "That product is not in this shop's catalog list." };
        const done = { sync: "Product queued for sync.", exclude: "Product excluded; its items are being removed from the catalog.", include: "Product included again; it syncs in a moment." };
        return { ok: true, message: done[action.intent] };
      }
    }
  } catch (error) {
    if (error instanceof CatalogConnectError) return { ok: false, error: error.message };
    if (error instanceof MetaGraphError) return { ok: false, error: explainGraphError(error, checkingToken) };
    throw error;
  }
}

/**
 * A catalog page's form post: 400 with the reason, or what the page shows
 * next. The product page passes its own `productId`, whatever the form says.
 */
export async function catalogFormAction(db: Db, client: MetaGraphClient, shop: string, request: Request, productId?: string): Promise<Response> {
  const read = await readForm(request);
  if ("form" in read && productId !== undefined) read.form.set("productId", productId);
  const parsed = "form" in read ? parseCatalogAction(read.form) : read;
  if ("error" in parsed) return Response.json({ ok: false, error: parsed.error }, { status: 400 });
  const result = await runCatalogAction(db, client, shop, parsed.action);
  return Response.json(result, { status: result.ok ? 200 : 400 });
}

/**
 * The request's form, or an error message for a 400: a body that is not a
 * form (JSON, text, broken multipart) made request.formData() throw, a 500
 * (issue 8, hostile-input tests).
 */
export async function readForm(request: Request): Promise<{ form: FormData } | { error: string }> {
  try {
    return { form: await request.formData() };
  } catch {
    return { error: "Send the form as application/x-www-form-urlencoded or multipart/form-data." };
  }
}

/** Parses a form into an action, or an error message for a 400. */
export function parseCatalogAction(form: FormData): { action: CatalogAction } | { error: string } {
  const parsed = CatalogAction.safeParse(Object.fromEntries(form), { error: merchantErrors(CATALOG_FIELDS) });
  if (parsed.success) return { action: parsed.data };
  return { error: firstProblem(parsed.error) };
}
