import { useState } from "react";
import { Banner, BlockStack, Card, Select, Text } from "@shopify/polaris";
import type { CatalogPageData } from "../../catalog/page-data.server";
import { IntentForm } from "./IntentForm";

/** A catalog by its Meta name; the id only tells apart two of the same name, or names one without a name. */
function catalogLabel(c: { id: string; name: string | null }, all: { id: string; name: string | null }[]) {
  if (!c.name) return `Unnamed catalog (ID ${c.id})`;
  return all.filter((o) => o.name === c.name).length > 1 ? `${c.name} (ID ${c.id})` : c.name;
}

/** After a token is accepted: the catalogs it may manage, and the one to keep in sync. */
export function ChooseCatalogCard({ catalogs, choiceError }: Pick<CatalogPageData, "catalogs" | "choiceError">) {
  const [catalogId, setCatalogId] = useState(catalogs[0]?.id ?? "");
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Choose the catalog to keep in sync
        </Text>
        {choiceError && <Banner tone="critical">{choiceError}</Banner>}
        {catalogs.length === 0 && !choiceError ? (
          <Text as="p">This token cannot manage any catalog. Create a catalog in Meta Commerce Manager, or grant the token access to one.</Text>
        ) : (
          <IntentForm intent="choose-catalog" label="Connect and sync all products">
            <Select
              label="Catalog"
              name="catalogId"
              options={catalogs.map((c) => ({ label: catalogLabel(c, catalogs), value: c.id }))}
              value={catalogId}
              onChange={setCatalogId}
            />
          </IntentForm>
        )}
      </BlockStack>
    </Card>
  );
}
