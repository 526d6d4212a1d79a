import { useState } from "react";
import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, InlineGrid, InlineStack, List, Modal, Text } from "@shopify/polaris";
import { MetaLoginButton, type MetaLoginConfig, type MetaLoginResult } from "../meta-login";
import type { ActionResult } from "../../whatsapp/actions.server";
import type { WhatsAppPageData } from "../../whatsapp/page-data.server";
import { ActionResultBanner } from "./ActionResultBanner";
import { HealthBadge } from "./HealthBadge";
import { LocalTime } from "./LocalTime";
import { OUTAGE_MESSAGE } from "../../whatsapp/health-status";

/**
 * The connection at a glance: Connected / Needs attention / Needs
 * reconnect with each reason and its action; connect, reconnect, switch
 * account, refresh and disconnect.
 */

type Props = Pick<WhatsAppPageData, "meta" | "connection" | "verdict">;

const ago = (iso: string | null) => {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  // An older time in the merchant's time zone, which the server does not know (LocalTime).
  return s < 60 ? "just now" : s < 3600 ? `${Math.round(s / 60)} min ago` : <LocalTime iso={iso} />;
};

export function ConnectionCard({ meta, connection, verdict }: Props) {
  const connect = useFetcher<ActionResult>({ key: "whatsapp-connect" });
  const manage = useFetcher<ActionResult>({ key: "whatsapp-manage" });
  const [confirmDisconnect, setConfirmDisconnect] = useState(false);
  const [dismissed, setDismissed] = useState<ActionResult | null>(null);
  // One outcome banner for the card: the last action's (a reconnect's "connected" replaces a disconnect's "disconnected").
  const [last, setLast] = useState<"connect" | "manage" | null>(null);
  const loginConfig: MetaLoginConfig = { ...meta, extras: { sessionInfoVersion: "3" } };
  const connectResult = last === "connect" && connect.data && connect.data !== dismissed ? connect.data : undefined;
  const manageResult = last === "manage" && manage.data && manage.data !== dismissed ? manage.data : undefined;
  const latest = connectResult ?? manageResult;
  // Refresh's problems are the verdict's banner above, said once.
  const result = latest?.intent === "refresh-health" && !latest.ok ? undefined : latest;
  const switchOffered = connectResult && !connectResult.ok && (connectResult.failure.code === "different_waba" || Boolean(connectResult.failure.details?.newWabaId));
  const runManage = (intent: "refresh-health" | "disconnect") => {
    setLast("manage");
    manage.submit({ intent }, { method: "post", encType: "application/json" });
  };

  const submitCode = (allowSwitch: boolean) => (login: MetaLoginResult) => {
    setLast("connect");
    connect.submit(
      {
        intent: "connect",
        code: login.code,
        via: login.via,
        signup: login.signup
          ? { event: login.signup.event, wabaId: login.signup.wabaId, phoneNumberId: login.signup.phoneNumberId, businessId: login.signup.businessId }
          : null,
        allowSwitch,
      },
      { method: "post", encType: "application/json" },
    );
  };

  const connected = verdict.level !== "disconnected";
  const label = !connected ? "Connect WhatsApp" : "Reconnect";
  const busy = connect.state !== "idle";

  return (
    <Card>
      <BlockStack gap="400">
        <InlineGrid columns="1fr auto">
          <Text as="h2" variant="headingMd">
            {connection && connected && connection.wabaName ? connection.wabaName : "WhatsApp Business Account"}
          </Text>
          <HealthBadge level={verdict.level} outage={verdict.outage !== null && verdict.issues.length === 0} />
        </InlineGrid>

        {!connected && (
          <Text as="p" tone="subdued">
            Connect the WhatsApp Business Account your store sends from. Meta opens a window where you pick or create the account
            and its phone number; the app never sees your Facebook password.
          </Text>
        )}
        {connection && connected && (
          <BlockStack gap="100">
            <Text as="p">
              <span data-testid="waba-name">
                {connection.wabaName ? `WhatsApp Business Account “${connection.wabaName}”` : "Your WhatsApp Business Account (Meta has not told the app its name yet)"}
              </span>
            </Text>
            <Text as="p" tone="subdued">
              Checked with Meta {ago(connection.healthCheckedAt)} · last message from Meta {ago(connection.webhookSeenAt)}
            </Text>
          </BlockStack>
        )}

        <VerdictBanner verdict={verdict} />

        {!meta.configured && (
          <Banner tone="warning" title="The Meta app is not configured">
            <p>Set META_APP_ID and META_CONFIG_ID for this app before connecting.</p>
          </Banner>
        )}

        <ActionResultBanner result={result} onDismiss={() => setDismissed(result ?? null)} />
        {switchOffered && (
          <div data-testid="switch-account">
            <Banner tone="info" title="Switch to the other account?">
              <BlockStack gap="200">
                <p>Switching runs Meta&apos;s window again; then this shop uses the new account&apos;s numbers, health and test messages.</p>
                <MetaLoginButton config={loginConfig} label="Switch account" onResult={submitCode(true)} busy={busy} variant="secondary" subject="WhatsApp" />
              </BlockStack>
            </Banner>
          </div>
        )}

        <InlineStack gap="300" blockAlign="start">
          <MetaLoginButton
            config={loginConfig}
            label={label}
            onResult={submitCode(false)}
            busy={busy}
            disabled={!meta.configured}
            // Reconnect is the main action only when it is the fix: no connection, or a token Meta refuses (not an outage).
            variant={verdict.level === "reconnect" || verdict.level === "disconnected" ? "primary" : "secondary"}
            subject="WhatsApp"
          />
          {connected && verdict.level !== "reconnect" && (
            <Box>
              <Button onClick={() => runManage("refresh-health")} loading={manage.state !== "idle" && last === "manage"}>
                Refresh
              </Button>
            </Box>
          )}
          {connected && (
            <Box>
              <Button tone="critical" variant="plain" onClick={() => setConfirmDisconnect(true)}>
                Disconnect
              </Button>
            </Box>
          )}
        </InlineStack>
        {/* A modal, not a banner in the card: asking first must not move the page (CLS). */}
        <Modal
          open={confirmDisconnect}
          onClose={() => setConfirmDisconnect(false)}
          title="Disconnect WhatsApp?"
          primaryAction={{
            content: "Disconnect now",
            destructive: true,
            onAction: () => {
              setConfirmDisconnect(false);
              runManage("disconnect");
            },
          }}
          secondaryActions={[{ content: "Cancel", onAction: () => setConfirmDisconnect(false) }]}
        >
          <Modal.Section>
            <div data-testid="disconnect-confirm">
              <BlockStack gap="200">
                <p>Disconnecting:</p>
                <List>
                  <List.Item>stops test and product messages from this shop, and the app stops following message statuses;</List.Item>
                  <List.Item>removes the app from your WhatsApp Business Account&apos;s notifications, and deletes the app&apos;s access to it;</List.Item>
                  <List.Item>
                    leaves your numbers, their quality and their two-step verification PINs as they are in WhatsApp: when you connect again, the app
                    sets its own PIN on the sending number and registers it, so you do not need WhatsApp Manager.
                  </List.Item>
                </List>
              </BlockStack>
            </div>
          </Modal.Section>
        </Modal>
      </BlockStack>
    </Card>
  );
}

/** The connection's state, once: Reconnect needed (critical), Meta not answering (warning, with the last success), or what needs attention. */
function VerdictBanner({ verdict }: { verdict: Props["verdict"] }) {
  if (verdict.issues.length === 0 && !verdict.outage) return null;
  const reconnect = verdict.level === "reconnect";
  const title = reconnect ? "Reconnect needed" : verdict.outage && verdict.issues.length === 0 ? "Meta is not answering" : "Needs attention";
  return (
    <div data-testid="whatsapp-issues" data-outage={verdict.outage ? "true" : "false"}>
      <Banner tone={reconnect ? "critical" : "warning"} title={title}>
        <BlockStack gap="200">
          {verdict.outage && (
            <p data-testid="whatsapp-outage">
              {OUTAGE_MESSAGE} Last successful check with Meta: {verdict.outage.lastOkAt ? <LocalTime iso={verdict.outage.lastOkAt} /> : "none yet"}.
            </p>
          )}
          {verdict.issues.length > 0 && (
            <List>
              {verdict.issues.map((issue) => (
                <List.Item key={issue.message}>
                  {issue.message} <Text as="span" fontWeight="semibold">{issue.action}</Text>
                </List.Item>
              ))}
            </List>
          )}
        </BlockStack>
      </Banner>
    </div>
  );
}
