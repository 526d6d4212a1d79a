import type { Db, Prisma } from "../db.server";
import { MetaGraphError } from "../meta/index.server";
import { WhatsAppStepFailed, type WhatsAppFailure } from "./failures";
import { describeMetaError } from "./meta-failure.server";
import type { TimelineEntry } from "./message-status";

/**
 * What the test message and the product message share once Meta has answered
 * a send: the outgoing message's row is created before the call (so its
 * status webhooks always find it), then gets Meta's id, or is marked FAILED.
 */

type LogRow = Awaited<ReturnType<Db["messageLog"]["findFirstOrThrow"]>>;

/** Meta accepted the send: keep its id. A fast webhook may already have matched this row (it waits for the wamid): only fill it in once. */
export async function recordAccepted(db: Db, rowId: string, wamid: string): Promise<LogRow> {
  await db.messageLog.updateMany({ where: { id: rowId, wamid: null }, data: { wamid } });
  return db.messageLog.findUniqueOrThrow({ where: { id: rowId } });
}

/** A refusal the merchant can act on (a step of ours, or Meta's), in their words; anything else is rethrown. */
export function sendFailure(error: unknown, doing: string): WhatsAppFailure {
  if (error instanceof WhatsAppStepFailed) return error.failure;
  if (error instanceof MetaGraphError) return describeMetaError(error, doing, "send_failed");
  throw error;
}

/** Marks the message FAILED with the merchant's words, as its timeline's only entry. */
export function recordFailed(db: Db, rowId: string, failure: WhatsAppFailure): Promise<LogRow> {
  const entry: TimelineEntry = { status: "FAILED", at: new Date().toISOString(), error: failure.message };
  return db.messageLog.update({
    where: { id: rowId },
    data: { status: "FAILED", statusAt: new Date(), error: failure.message, timeline: [entry] as unknown as Prisma.InputJsonValue },
  });
}
