import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { pageTitle } from "../page-title";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Layout, Page } from "@shopify/polaris";
import { ConnectionCard } from "../components/whatsapp/ConnectionCard";
import { NumbersCard } from "../components/whatsapp/NumbersCard";
import { ProductMessageCard } from "../components/whatsapp/ProductMessageCard";
import { ReadinessCard } from "../components/whatsapp/ReadinessCard";
import { TestMessageCard } from "../components/whatsapp/TestMessageCard";
import { db } from "../db.server";
import { env } from "../env.server";
import { authenticate } from "../shopify.server";
import { invalidInput, parseWhatsAppAction, runWhatsAppAction, type ActionResult } from "../whatsapp/actions.server";
import { interactiveClient } from "../whatsapp/graph.server";
import { refreshCommerceIfStale } from "../whatsapp/commerce.server";
import { refreshHealthIfStale } from "../whatsapp/health.server";
import { whatsAppPageData, type WhatsAppPageData } from "../whatsapp/page-data.server";
import { readLimitedText } from "../whatsapp/request-body.server";

/** /app/whatsapp: connect, check and repair the shop's WhatsApp Business Account. */

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  // Opening the page refreshes a snapshot older than a few minutes.
  await refreshHealthIfStale({ db, client: interactiveClient(), ttlMs: env().WHATSAPP_HEALTH_TTL_MS }, session.shop);
  // The catalog link and commerce settings are Meta's: read like the health snapshot, when older than the same TTL.
  await refreshCommerceIfStale(db, interactiveClient(), session.shop, env().WHATSAPP_HEALTH_TTL_MS);
  return whatsAppPageData(db, session.shop);
};

const MAX_ACTION_BYTES = 16 * 1024;

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const text = await readLimitedText(request, MAX_ACTION_BYTES);
  if (text === null) {
    const tooLarge: ActionResult = { intent: "invalid", ok: false, failure: { code: "invalid_input", message: "The request is too large." } };
    return data(tooLarge, { status: 413 });
  }
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // falls through to the schema's refusal
  }
  const parsed = parseWhatsAppAction(body);
  if (!parsed.success) return data(invalidInput(parsed.error), { status: 400 });
  return runWhatsAppAction(db, session.shop, parsed.data);
};

/** Why the test message cannot be sent now, with what to do; null when it can. */
function testMessageBlockedBy(page: WhatsAppPageData): string | null {
  if (page.verdict.level === "reconnect") return "You can send a test message again once you reconnect WhatsApp (above).";
  const active = page.numbers.find((n) => n.active);
  if (!active) return "Choose the number to send from under Phone numbers (Use for sending) first.";
  if (!active.registered) return `${active.displayPhoneNumber} is not registered yet: click Register next to it under Phone numbers.`;
  return null;
}

const DISCONNECTING = { level: "disconnected", issues: [], outage: null } as const;

export default function WhatsAppPage() {
  const loaded = useLoaderData<typeof loader>();
  // Disconnect shows its result at once (the cards that need a connection go on the click itself), so the
  // page does not jump again when the answer and the reloaded data arrive (CLS, issue 16).
  const manage = useFetcher<ActionResult>({ key: "whatsapp-manage" });
  const disconnecting = manage.state !== "idle" && (manage.json as { intent?: string } | undefined)?.intent === "disconnect";
  const page = disconnecting ? { ...loaded, verdict: { ...DISCONNECTING, issues: [] } } : loaded;
  const connected = page.connection !== null && page.verdict.level !== "disconnected";
  const active = page.numbers.find((n) => n.active);
  return (
    <Page title="WhatsApp" backAction={{ content: "Overview", url: "/app" }}>
      <Layout>
        <Layout.Section>
          <div id="whatsapp-connection">
            <ConnectionCard meta={page.meta} connection={page.connection} verdict={page.verdict} />
          </div>
        </Layout.Section>
        <Layout.Section>
          <ReadinessCard readiness={page.commerce.readiness} />
        </Layout.Section>
        {connected && (
          <Layout.Section>
            <div id="whatsapp-numbers">
              <NumbersCard numbers={page.numbers} messagingLimit={page.connection?.messagingLimit ?? null} />
            </div>
          </Layout.Section>
        )}
        {connected && (
          <Layout.Section>
            <TestMessageCard
              lastMessage={page.lastTestMessage}
              blockedBy={testMessageBlockedBy(page)}
              sendingFrom={active?.displayPhoneNumber ?? null}
            />
          </Layout.Section>
        )}
        {connected && (
          <Layout.Section>
            <ProductMessageCard commerce={page.commerce} sendingFrom={active?.displayPhoneNumber ?? null} />
          </Layout.Section>
        )}
      </Layout>
    </Page>
  );
}

export const meta: MetaFunction = () => pageTitle("WhatsApp");
