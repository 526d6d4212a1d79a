import type { MetaGraphClient, PhoneNumberInfo, SecretLike } from "../meta/index.server";
import { probe, type AccessContext } from "./access.server";
import { fail } from "./failures";
import { step } from "./meta-failure.server";
import { BUSINESS, MANAGE, describeLoss, wabaCandidates, type Grant } from "./scopes";
import type { SignupEvent } from "./signup-event";

/**
 * Step 2 of a connect: which WhatsApp Business Account, business and phone
 * numbers the new token is for. The signup event names them when it
 * arrives; when it does not (a known Embedded Signup failure), the token's
 * granular scopes do: the accounts its WhatsApp permissions name, newest
 * first, then the WABA's /phone_numbers. Reading the account and its numbers
 * is also the first test of what the token can do (access.server.ts).
 */

export interface Discovery {
  wabaId: string;
  wabaName: string | null;
  businessId: string | null;
  numbers: PhoneNumberInfo[];
  /** The number the merchant picked in Meta's window, when the event said. */
  chosenNumberId: string | null;
  source: "event" | "granular_scopes";
}

export interface DiscoverOptions {
  event: SignupEvent | null;
  /** The WABA already connected: kept when the token still reaches it and the event does not say otherwise. */
  currentWabaId: string | null;
  /** The connection's grant before this signup, to explain a refusal; null on a first connect. */
  previousGrant: Grant | null;
}

function pickWaba(grant: Grant, opts: DiscoverOptions): { wabaId: string; source: Discovery["source"] } {
  const candidates = wabaCandidates(grant);
  const fromEvent = opts.event?.wabaId;
  if (fromEvent) {
    if (candidates.length > 0 && !candidates.includes(fromEvent)) {
      fail("missing_permissions", describeLoss({ scopes: [], targets: [{ scope: MANAGE, ids: [fromEvent] }] }, { subject: "Meta's connection" }));
    }
    return { wabaId: fromEvent, source: "event" };
  }
  if (opts.currentWabaId && candidates.includes(opts.currentWabaId)) return { wabaId: opts.currentWabaId, source: "granular_scopes" };
  if (candidates[0]) return { wabaId: candidates[0], source: "granular_scopes" };
  return fail(
    "no_waba",
    "Meta's sign-in finished without giving the app access to a WhatsApp Business Account. Click the button again (Connect WhatsApp or Reconnect, as the page shows it) and, in Meta's window, select or create a WhatsApp Business Account and keep it ticked.",
  );
}

export async function discoverAccount(client: MetaGraphClient, token: SecretLike, grant: Grant, opts: DiscoverOptions): Promise<Discovery> {
  const { wabaId, source } = pickWaba(grant, opts);
  const ctx: AccessContext = { grant, previous: opts.previousGrant, subject: "Meta's connection" };
  const waba = await probe("read the details", wabaId, ctx, () => client.getWaba(token, wabaId));
  const numbers = await probe("read the phone numbers", wabaId, ctx, () => client.listPhoneNumbers(token, wabaId));
  let chosenNumberId = opts.event?.phoneNumberId ?? null;
  if (chosenNumberId && !numbers.some((n) => n.id === chosenNumberId)) {
    // A number added during signup can be missing from the list for a moment: ask for it directly.
    const chosen = await step("reading the phone number you added", "no_waba", () => client.getPhoneNumber(token, chosenNumberId!)).catch(() => null);
    if (chosen) numbers.push(chosen);
    else chosenNumberId = null;
  }
  return {
    wabaId,
    wabaName: waba.name,
    businessId: opts.event?.businessId ?? waba.ownerBusiness?.id ?? grant.targets[BUSINESS]?.[0] ?? null,
    numbers,
    chosenNumberId,
    source,
  };
}
