import type { ReactNode } from "react";
import { Form } from "@remix-run/react";
import { BlockStack, Button, InlineStack } from "@shopify/polaris";

/** A form that posts one catalog action (`intent`): its fields, then the primary button. */
export function IntentForm(props: { intent: string; label: string; busy?: boolean; disabled?: boolean; children: ReactNode }) {
  return (
    <Form method="post">
      <input type="hidden" name="intent" value={props.intent} />
      <BlockStack gap="200">
        {props.children}
        <InlineStack>
          <Button submit variant="primary" loading={props.busy} disabled={props.disabled}>
            {props.label}
          </Button>
        </InlineStack>
      </BlockStack>
    </Form>
  );
}
