import { z } from "zod";
import type { Db } from "../db.server";
import { firstProblem, merchantErrors, type FieldLabels } from "../form-errors";
import { checkHealth } from "./health.server";
import { connectWhatsApp } from "./connect.server";
import { disconnect, loadConnection } from "./connection.server";
import { OUTAGE_MESSAGE } from "./health-status";
import { connectionVerdict } from "./readiness.server";
import { WhatsAppStepFailed, type WhatsAppFailure } from "./failures";
import { interactiveClient } from "./graph.server";
import { chooseSendingNumber, registerNumber } from "./register-phone.server";
import { SignupEvent } from "./signup-event";
import { E164, sendTestMessage, type TestMessageView } from "./test-message.server";
import { linkCatalog, refreshCommerce, setCommerceSettings, unlinkCatalog } from "./commerce.server";
import { sendProductMessage, type ProductMessageView } from "./product-message.server";

/**
 * The WhatsApp page's actions: the input (zod, strict: the shop comes from
 * the session and a body naming one is refused) and one call into the
 * service per intent. Results are plain data for the page.
 */

const graphId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
/** A Shopify product id as the outbox stores it (digits). */
const productId = z.string().regex(/^\d{1,20}$/);

export const WhatsAppAction = z.discriminatedUnion("intent", [
  z
    .object({
      intent: z.literal("connect"),
      code: z.string().min(1).max(4096),
      via: z.enum(["sdk", "dialog"]).default("sdk"),
      signup: SignupEvent.nullish(),
      allowSwitch: z.boolean().default(false),
    })
    .strict(),
  z.object({ intent: z.literal("choose-number"), phoneNumberId: graphId }).strict(),
  z.object({ intent: z.literal("register-number"), phoneNumberId: graphId }).strict(),
  z.object({ intent: z.literal("refresh-health") }).strict(),
  z.object({ intent: z.literal("disconnect") }).strict(),
  z.object({ intent: z.literal("send-test"), to: E164 }).strict(),
  // WhatsApp commerce (issue 18). Catalog ids name the shop's own link: the action re-reads it from Meta and
  // refuses any other id; product ids are looked up among the shop's own products in the catalog.
  z.object({ intent: z.literal("refresh-commerce") }).strict(),
  z.object({ intent: z.literal("link-catalog"), replaceCatalogId: graphId.optional() }).strict(),
  z.object({ intent: z.literal("unlink-catalog"), catalogId: graphId }).strict(),
  z.object({ intent: z.literal("set-commerce"), cartEnabled: z.boolean(), catalogVisible: z.boolean() }).strict(),
  z.object({ intent: z.literal("send-product"), productIds: z.array(productId).min(1).max(30) }).strict(),
]);
export type WhatsAppAction = z.infer<typeof WhatsAppAction>;

export type ActionResult =
  | { intent: WhatsAppAction["intent"]; ok: true; message: string; warnings?: string[]; testMessage?: TestMessageView; productMessage?: ProductMessageView }
  | { intent: WhatsAppAction["intent"] | "invalid"; ok: false; failure: WhatsAppFailure; testMessage?: TestMessageView; productMessage?: ProductMessageView };

/** The fields a merchant fills in, as the page labels them; anything else the page sends itself. */
const WHATSAPP_FIELDS: FieldLabels = { to: "The recipient's number", productIds: "Products to send" };

/** Parses an action body; a refusal's issues are in the merchant's words (no received values echoed). */
export function parseWhatsAppAction(body: unknown) {
  return WhatsAppAction.safeParse(body, { error: merchantErrors(WHATSAPP_FIELDS) });
}

/** The first problem of a refused body (parsed by parseWhatsAppAction), as the page's failure. */
export function invalidInput(error: z.ZodError): ActionResult {
  return { intent: "invalid", ok: false, failure: { code: "invalid_input", message: firstProblem(error) } };
}

const PIN_REPLACED = (number: string) =>
  ` ${number} had a two-step verification PIN the app did not know, so the app set its own (kept encrypted; you never need it).`;

const CONNECT_MESSAGES = {
  connected: "WhatsApp is connected.",
  reconnected: "WhatsApp is reconnected: the new connection replaced the old one.",
  switched: "This shop now uses the new WhatsApp Business Account.",
} as const;

export async function runWhatsAppAction(db: Db, shop: string, action: WhatsAppAction): Promise<ActionResult> {
  const client = interactiveClient();
  const { intent } = action;
  try {
    switch (action.intent) {
      case "connect": {
        const outcome = await connectWhatsApp(db, client, shop, {
          code: action.code,
          via: action.via,
          signup: action.signup ?? null,
          allowSwitch: action.allowSwitch,
        });
        if (!outcome.ok) return { intent, ok: false, failure: outcome.failure };
        return { intent, ok: true, message: CONNECT_MESSAGES[outcome.kind], warnings: outcome.warnings };
      }
      case "choose-number": {
        const { number, pinReplaced } = await chooseSendingNumber(db, client, shop, action.phoneNumberId);
        return { intent, ok: true, message: `Messages will be sent from ${number}.${pinReplaced ? PIN_REPLACED(number) : ""}` };
      }
      case "register-number": {
        const { number, pinReplaced } = await registerNumber(db, client, shop, action.phoneNumberId);
        return { intent, ok: true, message: `${number} is registered and can send messages.${pinReplaced ? PIN_REPLACED(number) : ""}` };
      }
      case "refresh-health": {
        // One outcome, the same as the verdict the page then shows: never a green "checked" beside a failure.
        const result = await checkHealth({ db, client }, shop);
        if (result === "superseded") return { intent, ok: true, message: "A newer check finished first; the page shows that one." };
        const verdict = connectionVerdict(await loadConnection(db, shop), null);
        if (result === "skipped") {
          return verdict.level === "disconnected"
            ? { intent, ok: false, failure: { code: "not_connected", message: "WhatsApp is not connected for this shop. Click Connect WhatsApp first." } }
            : { intent, ok: false, failure: { code: "token_invalid", message: "Meta no longer accepts this connection, so there is nothing to check. Click Reconnect." } };
        }
        if (result === "needs_reconnect") return { intent, ok: false, failure: { code: "token_invalid", message: verdict.issues[0]?.message ?? "Meta no longer accepts this connection. Click Reconnect." } };
        if (verdict.outage) return { intent, ok: false, failure: { code: "meta_unavailable", message: OUTAGE_MESSAGE } };
        const count = verdict.issues.length;
        return count === 0
          ? { intent, ok: true, message: "Checked with Meta just now: everything works." }
          : { intent, ok: true, message: `Checked with Meta just now: ${count === 1 ? "one thing needs" : `${count} things need`} your attention.`, warnings: verdict.issues.map((i) => i.message) };
      }
      case "disconnect": {
        const { warning } = await disconnect(db, client, shop);
        return { intent, ok: true, message: "WhatsApp is disconnected. The app no longer holds a token for it.", ...(warning ? { warnings: [warning] } : {}) };
      }
      case "refresh-commerce":
        await refreshCommerce(db, client, shop);
        return { intent, ok: true, message: "Checked with Meta." };
      case "link-catalog": {
        const { kind } = await linkCatalog(db, client, shop, { replaceCatalogId: action.replaceCatalogId });
        const messages = {
          linked: "The catalog is linked to your WhatsApp account.",
          replaced: "The catalog replaced the one linked to your WhatsApp account.",
          already: "The catalog was already linked to your WhatsApp account.",
        } as const;
        return { intent, ok: true, message: messages[kind] };
      }
      case "unlink-catalog":
        await unlinkCatalog(db, client, shop, action.catalogId);
        return { intent, ok: true, message: "The catalog is unlinked from your WhatsApp account." };
      case "set-commerce": {
        const settings = await setCommerceSettings(db, client, shop, { cartEnabled: action.cartEnabled, catalogVisible: action.catalogVisible });
        const words = `${settings.catalogVisible ? "Your catalog shows" : "Your catalog is hidden"} and the cart is ${settings.cartEnabled ? "on" : "off"} in WhatsApp chats.`;
        return { intent, ok: true, message: words };
      }
      case "send-product": {
        const outcome = await sendProductMessage(db, client, shop, action.productIds);
        if (!outcome.ok) return { intent, ok: false, failure: outcome.failure, productMessage: outcome.message };
        const count = outcome.message.products.length;
        return { intent, ok: true, message: count === 1 ? "Product message sent to Meta." : `Message with ${count} products sent to Meta.`, productMessage: outcome.message };
      }
      case "send-test": {
        const outcome = await sendTestMessage(db, client, shop, { to: action.to });
        if (!outcome.ok) return { intent, ok: false, failure: outcome.failure, testMessage: outcome.message };
        return { intent, ok: true, message: "Test message sent to Meta.", testMessage: outcome.message };
      }
    }
  } catch (error) {
    if (error instanceof WhatsAppStepFailed) return { intent, ok: false, failure: error.failure };
    throw error;
  }
}
