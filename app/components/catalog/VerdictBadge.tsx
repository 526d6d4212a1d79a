import type { Verdict } from "../../catalog/verdict";
import { StatusBadge } from "./StatusBadge";

/** What Meta shows for a product or variant (app/catalog/verdict.ts) as a badge: the same badge as the catalog table's. */
export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return <StatusBadge status={verdict} />;
}
