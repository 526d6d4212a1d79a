/**
 * What a WhatsApp token is allowed to do, and how to say what a new token
 * lost compared with the previous one ("reduce-then-reconnect": a person
 * whose access was reduced reconnects and Meta issues a token with fewer
 * permissions or fewer accounts). Pure: shared by connect, reconnect and health.
 */

export const MANAGE = "whatsapp_business_management";
export const MESSAGING = "whatsapp_business_messaging";
export const BUSINESS = "business_management";

/** Without these the app can neither read the account's health nor send. */
export const REQUIRED_SCOPES = [MANAGE, MESSAGING] as const;

/** scope -> object ids the grant is limited to (newest first). A scope without an entry is not limited. */
export type GrantedTargets = Record<string, string[]>;

export interface Grant {
  scopes: string[];
  targets: GrantedTargets;
}

const PERMISSION_NAMES: Record<string, string> = {
  [MANAGE]: "Manage your WhatsApp accounts (whatsapp_business_management)",
  [MESSAGING]: "Send WhatsApp messages (whatsapp_business_messaging)",
  [BUSINESS]: "Manage your business portfolio (business_management)",
  catalog_management: "Manage your catalogs (catalog_management)",
};

export function permissionName(scope: string): string {
  return PERMISSION_NAMES[scope] ?? scope;
}

export function grantFrom(scopes: string[], granular: { scope: string; targetIds: string[] }[]): Grant {
  const targets: GrantedTargets = {};
  for (const g of granular) if (g.targetIds.length > 0) targets[g.scope] = [...g.targetIds];
  return { scopes: [...new Set(scopes)], targets };
}

/** Reads the JSON columns as stored at the last connect; unknown shapes count as "nothing granted". */
export function grantFromColumns(scopes: unknown, targets: unknown): Grant {
  const list = Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === "string") : [];
  const map: GrantedTargets = {};
  if (targets && typeof targets === "object" && !Array.isArray(targets)) {
    for (const [scope, ids] of Object.entries(targets as Record<string, unknown>)) {
      if (Array.isArray(ids)) map[scope] = ids.filter((id): id is string => typeof id === "string");
    }
  }
  return { scopes: list, targets: map };
}

/** Whether the grant lets the app use `objectId` under `scope`. */
export function covers(grant: Grant, scope: string, objectId: string): boolean {
  if (!grant.scopes.includes(scope)) return false;
  const targets = grant.targets[scope];
  return !targets || targets.includes(objectId);
}

export interface GrantLoss {
  /** Permissions the previous token had and the new one lacks. */
  scopes: string[];
  /** Objects a kept permission no longer reaches. */
  targets: { scope: string; ids: string[] }[];
}

export function lostGrants(before: Grant, after: Grant): GrantLoss {
  const scopes = before.scopes.filter((s) => !after.scopes.includes(s));
  const targets: GrantLoss["targets"] = [];
  for (const scope of before.scopes) {
    if (!after.scopes.includes(scope)) continue;
    const now = after.targets[scope];
    // A scope that is no longer limited to some objects covers everything.
    if (!now) continue;
    const previous = before.targets[scope] ?? [];
    const ids = previous.filter((id) => !now.includes(id));
    if (ids.length) targets.push({ scope, ids });
  }
  return { scopes, targets };
}

export const isEmptyLoss = (loss: GrantLoss) => loss.scopes.length === 0 && loss.targets.length === 0;

/** What the connection needs to work with `wabaId`, as a loss against an ideal grant. */
export function missingForWaba(grant: Grant, wabaId: string): GrantLoss {
  const scopes = REQUIRED_SCOPES.filter((s) => !grant.scopes.includes(s));
  const targets = REQUIRED_SCOPES.filter((s) => grant.scopes.includes(s) && !covers(grant, s, wabaId)).map((scope) => ({
    scope,
    ids: [wabaId],
  }));
  return { scopes, targets };
}

function objectName(scope: string, id: string): string {
  if (scope === MANAGE || scope === MESSAGING) return `WhatsApp Business Account ${id}`;
  if (scope === BUSINESS) return `business portfolio ${id}`;
  if (scope === "catalog_management") return `catalog ${id}`;
  return `object ${id}`;
}

const WHO_GRANTS =
  "An admin of the Meta business portfolio must either reconnect themselves and keep every permission ticked, " +
  "or give the person who reconnects full control of the WhatsApp account in Meta Business Settings › Accounts › WhatsApp accounts, then reconnect.";

/** The merchant-facing sentence naming exactly what is missing and who must grant it. */
export function describeLoss(loss: GrantLoss, opts: { subject?: string } = {}): string {
  const parts: string[] = [];
  if (loss.scopes.length) {
    parts.push(`the permission${loss.scopes.length > 1 ? "s" : ""} ${loss.scopes.map((s) => `“${permissionName(s)}”`).join(" and ")}`);
  }
  const accounts = new Map<string, string[]>();
  for (const t of loss.targets) {
    for (const id of t.ids) {
      const name = objectName(t.scope, id);
      accounts.set(name, [...(accounts.get(name) ?? []), t.scope]);
    }
  }
  for (const [name, scopes] of accounts) parts.push(`access to ${name} (for ${scopes.join(", ")})`);
  const subject = opts.subject ?? "The new Meta connection";
  return `${subject} is missing ${parts.join(" and ")}. ${WHO_GRANTS}`;
}
