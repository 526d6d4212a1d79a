import { productsInCatalogCount } from "../catalog/products-in-catalog.server";
import type { Db } from "../db.server";
import { loadCommerce } from "./commerce.server";
import { loadConnection, type StoredConnection } from "./connection.server";
import { readSnapshot } from "./health-snapshot";
import { healthVerdict, type HealthVerdict } from "./health-status";
import { readiness, type Readiness } from "./readiness";
import { latestTestMessage, type TestMessageView } from "./test-message.server";

/** Loads what the readiness checklist needs (no Graph call) and computes it; shared by the WhatsApp page and the Overview. */

/** The connection's verdict, as the WhatsApp page shows it. */
export function connectionVerdict(row: StoredConnection | null, lastTestMessage: TestMessageView | null): HealthVerdict {
  return healthVerdict({
    state: row?.state ?? "DISCONNECTED",
    stateReason: row?.stateReason ?? null,
    lastError: row?.lastError ?? null,
    snapshot: row ? readSnapshot(row.health) : null,
    numbers: row?.phoneNumbers ?? [],
    webhookSeenAt: row?.webhookSeenAt ?? null,
    lastTestMessage: lastTestMessage
      ? { createdAt: new Date(lastTestMessage.createdAt), accepted: lastTestMessage.status !== "FAILED", status: lastTestMessage.status }
      : null,
    now: new Date(),
  });
}

export async function commerceReadiness(db: Db, shop: string, row: StoredConnection | null, verdict: HealthVerdict): Promise<Readiness> {
  const [catalog, commerce, products] = await Promise.all([
    db.catalogConnection.findUnique({ where: { shop }, select: { state: true, catalogId: true, catalogName: true } }),
    loadCommerce(db, shop),
    productsInCatalogCount(db, shop),
  ]);
  const active = row?.phoneNumbers.find((p) => p.active) ?? null;
  // Facts about another WABA (before a switch) say nothing about this one; settings belong to one number.
  const current = commerce && row && commerce.wabaId === row.wabaId ? commerce : null;
  const settingsApply = current && active && current.phoneNumberId === active.phoneNumberId;
  return readiness({
    whatsapp: { level: verdict.level, issues: verdict.issues.length, outage: verdict.outage !== null },
    activeNumber: active ? { phoneNumberId: active.phoneNumberId, display: active.displayPhoneNumber, registered: active.registered } : null,
    catalog,
    commerce: current && {
      linkedCatalogId: current.linkedCatalogId,
      linkedCatalogName: current.linkedCatalogName,
      linkError: current.linkError,
      settings:
        settingsApply && current.cartEnabled !== null && current.catalogVisible !== null ? { cartEnabled: current.cartEnabled, catalogVisible: current.catalogVisible } : null,
      settingsError: settingsApply ? current.settingsError : null,
    },
    productsInCatalog: products,
  });
}

export interface ReadinessSummary {
  done: number;
  total: number;
  ready: boolean;
  /** The first line still to do, in the checklist's words. */
  next: { title: string; detail: string } | null;
  /** The connection's verdict as the WhatsApp page shows it (its badge), and the account's name. */
  whatsapp: { level: HealthVerdict["level"]; outage: boolean; wabaName: string | null };
}

/** The Overview's summary of the checklist. */
export async function readinessSummary(db: Db, shop: string): Promise<ReadinessSummary> {
  const [row, lastTest] = await Promise.all([loadConnection(db, shop), latestTestMessage(db, shop)]);
  const verdict = connectionVerdict(row, lastTest);
  const result = await commerceReadiness(db, shop, row, verdict);
  // The next thing the merchant can do: a line Meta could not check (an outage) is nobody's to-do,
  // and the WhatsApp card already says Meta is not answering.
  const next = result.lines.find((l) => l.state === "todo");
  return {
    done: result.done,
    total: result.total,
    ready: result.ready,
    next: next ? { title: next.title, detail: next.detail } : null,
    whatsapp: { level: verdict.level, outage: verdict.outage !== null && verdict.issues.length === 0, wabaName: row ? (readSnapshot(row.health)?.wabaName ?? null) : null },
  };
}
