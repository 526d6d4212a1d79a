import { fail } from "./failures";
import { MANAGE, describeLoss, isEmptyLoss, lostGrants, reaches, type Grant } from "./scopes";

/**
 * The checks that make a reconnect safe. A reconnect runs the same
 * Embedded Signup as a first connect; the new token replaces the old one
 * only when it can still do the job, which the connect's probes decide
 * (access.server.ts: it reads the account's numbers and templates):
 * - a WABA other than the stored one is refused unless the merchant
 *   confirmed the switch (messages, numbers and health would all change);
 * - whatever it lost compared with the last connect (a permission, another
 *   account) is kept as a warning naming exactly what and who must grant it:
 *   permission names explain a loss, they do not decide (Meta renames them).
 */

export interface PreviousConnection {
  wabaId: string;
  wabaName: string | null;
  grant: Grant;
}

export interface NextConnection {
  wabaId: string;
  wabaName: string | null;
  grant: Grant;
}

export interface ReconnectVerdict {
  switched: boolean;
  warnings: string[];
}

const label = (id: string, name: string | null) => (name ? `“${name}” (${id})` : id);

export function checkReconnect(previous: PreviousConnection | null, next: NextConnection, allowSwitch: boolean): ReconnectVerdict {
  const subject = previous ? "The new Meta connection" : "Meta's connection";
  if (previous && previous.wabaId !== next.wabaId && !allowSwitch) {
    // Lost access to the connected account: say so, rather than offering a switch the merchant did not ask for.
    if (!reaches(next.grant, previous.wabaId)) {
      const loss = lostGrants(previous.grant, next.grant);
      fail(
        "missing_permissions",
        `${describeLoss(isEmptyLoss(loss) ? { scopes: [], targets: [{ scope: MANAGE, ids: [previous.wabaId] }] } : loss, { subject })} ` +
          `To move this shop to ${label(next.wabaId, next.wabaName)} instead, choose Switch account.`,
        { currentWabaId: previous.wabaId, newWabaId: next.wabaId },
      );
    }
    fail(
      "different_waba",
      `You signed in with the WhatsApp Business Account ${label(next.wabaId, next.wabaName)}, but this shop is connected to ` +
        `${label(previous.wabaId, previous.wabaName)}. Nothing was changed. To keep the current account, reconnect and pick it in Meta's window; ` +
        "to move this shop to the new account (its numbers, health and test messages), choose Switch account.",
      { currentWabaId: previous.wabaId, newWabaId: next.wabaId },
    );
  }
  const warnings: string[] = [];
  if (previous && previous.wabaId === next.wabaId) {
    const loss = lostGrants(previous.grant, next.grant);
    if (!isEmptyLoss(loss)) warnings.push(describeLoss(loss, { subject }));
  }
  return { switched: Boolean(previous && previous.wabaId !== next.wabaId), warnings };
}
