import { useState } from "react";
import { useNavigation, useSubmit } from "@remix-run/react";
import { BlockStack, Card, Text, TextField } from "@shopify/polaris";
import type { CatalogPageData } from "../../catalog/page-data.server";
import { MetaLoginButton, type MetaLoginResult } from "../meta-login";
import { IntentForm } from "./IntentForm";

/** Connect (or reconnect) a Meta Catalog: Facebook Login for Business, or a pasted system user token. */
export function ConnectCatalogCard({ reconnect, meta }: { reconnect: boolean; meta: CatalogPageData["meta"] }) {
  const [token, setToken] = useState("");
  const busy = useNavigation().state !== "idle";
  const submit = useSubmit();
  const onLogin = (result: MetaLoginResult) =>
    submit({ intent: "connect-code", code: result.code, via: result.via }, { method: "post" });
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {reconnect ? "Reconnect your Meta Catalog" : "Connect a Meta Catalog"}
        </Text>
        {meta.configured && (
          <BlockStack gap="200">
            <Text as="p">Log in with the Facebook account that manages your catalog and grant catalog access.</Text>
            <MetaLoginButton
              config={{ ...meta, expectSignupEvent: false }}
              label={reconnect ? "Reconnect with Facebook" : "Connect with Facebook"}
              onResult={onLogin}
              busy={busy}
              subject="your catalog"
            />
          </BlockStack>
        )}
        <Text as="p" tone="subdued">
          {meta.configured ? "Or paste" : "Paste"} a system user access token with the catalog_management permission (Meta
          Business Settings › Users › System users › Generate token). It is encrypted for this shop and never shown again.
        </Text>
        <IntentForm intent="connect-token" label={reconnect ? "Reconnect" : "Connect"} busy={busy} disabled={token.length < 20}>
          <TextField label="Access token" name="token" type="password" value={token} onChange={setToken} autoComplete="off" />
        </IntentForm>
      </BlockStack>
    </Card>
  );
}
