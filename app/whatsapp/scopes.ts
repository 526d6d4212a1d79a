/**
 * The permissions a WhatsApp token lists (debug_token), used only to explain:
 * which accounts a token names, and what a new token lost compared with the
 * previous one ("reduce-then-reconnect": a person whose access was reduced
 * reconnects and Meta issues a token with fewer permissions or fewer
 * accounts). Whether a token can do the job is decided by what it can do
 * (access.server.ts), never by these names: Meta renames them. Pure: shared
 * by connect, reconnect and health.
 */

export const MANAGE = "whatsapp_business_management";
export const MESSAGING = "whatsapp_business_messaging";
export const BUSINESS = "business_management";
/**
 * Since June 2026 Embedded Signup tokens carry whatsapp_business_manage_events
 * where whatsapp_business_management used to be, and still read the account's
 * phone numbers (chatwoot/chatwoot#14690, fixed by chatwoot/chatwoot#14697).
 */
export const MANAGE_EVENTS = "whatsapp_business_manage_events";

/** The permissions that name WhatsApp Business Accounts, in the order their accounts are tried. */
const WHATSAPP_SCOPES = [MANAGE, MANAGE_EVENTS, MESSAGING] as const;

/** A permission and the ones Meta replaced it with: having a successor is not losing it. */
const SUCCESSORS: Record<string, string[]> = { [MANAGE]: [MANAGE_EVENTS] };
const sameOrSuccessors = (scope: string) => [scope, ...(SUCCESSORS[scope] ?? [])];

/** scope -> object ids the grant is limited to (newest first). A scope without an entry is not limited. */
export type GrantedTargets = Record<string, string[]>;

export interface Grant {
  scopes: string[];
  targets: GrantedTargets;
}

const PERMISSION_NAMES: Record<string, string> = {
  [MANAGE]: "Manage your WhatsApp accounts (whatsapp_business_management)",
  [MESSAGING]: "Send WhatsApp messages (whatsapp_business_messaging)",
  [MANAGE_EVENTS]: "Manage your WhatsApp accounts (whatsapp_business_manage_events)",
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

/** Whether the grant lets the app use `objectId` under `scope` (or a permission Meta replaced it with). */
export function covers(grant: Grant, scope: string, objectId: string): boolean {
  return sameOrSuccessors(scope).some((s) => {
    if (!grant.scopes.includes(s)) return false;
    const targets = grant.targets[s];
    return !targets || targets.includes(objectId);
  });
}

/** The WhatsApp Business Accounts a grant names, newest first, whichever WhatsApp permission names them. */
export function wabaCandidates(grant: Grant): string[] {
  const ids = WHATSAPP_SCOPES.flatMap((scope) => grant.targets[scope] ?? []);
  return [...new Set(ids)];
}

/** Whether any WhatsApp permission of the grant reaches the account. */
export const reaches = (grant: Grant, wabaId: string) => WHATSAPP_SCOPES.some((scope) => covers(grant, scope, wabaId));

export interface GrantLoss {
  /** Permissions the previous token had and the new one lacks. */
  scopes: string[];
  /** Objects a kept permission no longer reaches. */
  targets: { scope: string; ids: string[] }[];
}

export function lostGrants(before: Grant, after: Grant): GrantLoss {
  const kept = (scope: string) => sameOrSuccessors(scope).filter((s) => after.scopes.includes(s));
  const scopes = before.scopes.filter((s) => kept(s).length === 0);
  const targets: GrantLoss["targets"] = [];
  for (const scope of before.scopes) {
    const now = kept(scope);
    if (now.length === 0) continue;
    // A scope that is no longer limited to some objects covers everything.
    if (now.some((s) => !after.targets[s])) continue;
    const reached = new Set(now.flatMap((s) => after.targets[s]));
    const ids = (before.targets[scope] ?? []).filter((id) => !reached.has(id));
    if (ids.length) targets.push({ scope, ids });
  }
  return { scopes, targets };
}

export const isEmptyLoss = (loss: GrantLoss) => loss.scopes.length === 0 && loss.targets.length === 0;

function objectName(scope: string, id: string): string {
  if (scope === MANAGE || scope === MANAGE_EVENTS || scope === MESSAGING) return `WhatsApp Business Account ${id}`;
  if (scope === BUSINESS) return `business portfolio ${id}`;
  if (scope === "catalog_management") return `catalog ${id}`;
  return `object ${id}`;
}

export const WHO_GRANTS =
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
