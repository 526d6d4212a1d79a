import { useState } from "react";
import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, InlineGrid, InlineStack, List, Text } from "@shopify/polaris";
import { MetaLoginButton, type MetaLoginConfig, type MetaLoginResult } from "../meta-login";
import type { ActionResult } from "../../whatsapp/actions.server";
import type { WhatsAppPageData } from "../../whatsapp/page-data.server";
import { ActionResultBanner } from "./ActionResultBanner";
import { HealthBadge } from "./HealthBadge";

/**
 * The connection at a glance: Connected / Needs attention / Needs
 * reconnect with each reason and its action; connect, reconnect, switch
 * account, refresh and disconnect.
 */

type Props = Pick<WhatsAppPageData, "meta" | "connection" | "verdict">;

const ago = (iso: string | null) => {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 60 ? "just now" : s < 3600 ? `${Math.round(s / 60)} min ago` : new Date(iso).toLocaleString();
};

export function ConnectionCard({ meta, connection, verdict }: Props) {
  const connect = useFetcher<ActionResult>({ key: "whatsapp-connect" });
  const manage = useFetcher<ActionResult>({ key: "whatsapp-manage" });
  const [confirmDisconnect, setConfirmDisconnect] = useState(false);
  const [dismissed, setDismissed] = useState<ActionResult | null>(null);
  const loginConfig: MetaLoginConfig = { ...meta, extras: { sessionInfoVersion: "3" } };
  const result = connect.data && connect.data !== dismissed ? connect.data : undefined;
  const switchOffered = result && !result.ok && (result.failure.code === "different_waba" || Boolean(result.failure.details?.newWabaId));

  const submitCode = (allowSwitch: boolean) => (login: MetaLoginResult) =>
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

  const connected = verdict.level !== "disconnected";
  const label = !connected ? "Connect WhatsApp" : "Reconnect";
  const busy = connect.state !== "idle";

  return (
    <Card>
      <BlockStack gap="400">
        <InlineGrid columns="1fr auto">
          <Text as="h2" variant="headingMd">
            WhatsApp Business Account
          </Text>
          <HealthBadge level={verdict.level} />
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
              {connection.wabaName ? `${connection.wabaName} · ` : ""}WhatsApp Business Account {connection.wabaId}
            </Text>
            <Text as="p" tone="subdued">
              Health checked {ago(connection.healthCheckedAt)} · last webhook from Meta {ago(connection.webhookSeenAt)}
            </Text>
          </BlockStack>
        )}

        {verdict.issues.length > 0 && (
          <div data-testid="whatsapp-issues">
            <Banner tone={verdict.level === "reconnect" ? "critical" : "warning"} title={verdict.level === "reconnect" ? "Reconnect needed" : "Needs attention"}>
              <List>
                {verdict.issues.map((issue) => (
                  <List.Item key={issue.message}>
                    {issue.message} <Text as="span" fontWeight="semibold">{issue.action}</Text>
                  </List.Item>
                ))}
              </List>
            </Banner>
          </div>
        )}

        {!meta.configured && (
          <Banner tone="warning" title="The Meta app is not configured">
            <p>Set META_APP_ID and META_CONFIG_ID for this app before connecting.</p>
          </Banner>
        )}

        <ActionResultBanner result={result} onDismiss={() => setDismissed(connect.data ?? null)} />
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
            variant={verdict.level === "connected" ? "secondary" : "primary"}
            subject="WhatsApp"
          />
          {connected && (
            <Box>
              <Button onClick={() => manage.submit({ intent: "refresh-health" }, { method: "post", encType: "application/json" })} loading={manage.state !== "idle"}>
                Refresh
              </Button>
            </Box>
          )}
          {connected && !confirmDisconnect && (
            <Box>
              <Button tone="critical" variant="plain" onClick={() => setConfirmDisconnect(true)}>
                Disconnect
              </Button>
            </Box>
          )}
        </InlineStack>
        {confirmDisconnect && (
          <Banner tone="critical" title="Disconnect WhatsApp?">
            <BlockStack gap="200">
              <p>The app deletes its token and the numbers&apos; PINs and stops sending. You can connect again at any time.</p>
              <InlineStack gap="200">
                <Button
                  tone="critical"
                  variant="primary"
                  onClick={() => {
                    setConfirmDisconnect(false);
                    manage.submit({ intent: "disconnect" }, { method: "post", encType: "application/json" });
                  }}
                >
                  Disconnect now
                </Button>
                <Button onClick={() => setConfirmDisconnect(false)}>Cancel</Button>
              </InlineStack>
            </BlockStack>
          </Banner>
        )}
        <ActionResultBanner result={manage.data} />
      </BlockStack>
    </Card>
  );
}
