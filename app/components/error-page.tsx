import { isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { BlockStack, Button, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";

/**
 * What a merchant sees when a page cannot be shown (an unknown or deleted
 * product, an address the app does not have, an unexpected failure): a Polaris
 * page inside the app's frame, under its menu, that says what happened in the
 * merchant's words and offers a way back. Never the raw error.
 */

export interface ErrorPageContent {
  title: string;
  message: string;
  /** Where the way back leads. */
  back: { content: string; url: string };
}

const OVERVIEW = { content: "Overview", url: "/app" };

const NOT_FOUND: ErrorPageContent = {
  title: "Page not found",
  message: "The app has no page at this address. The link may be out of date.",
  back: OVERVIEW,
};

const FAILED: ErrorPageContent = {
  title: "This page could not be shown",
  message: "Something went wrong on the app's side. Try again in a moment; if it keeps happening, contact support.",
  back: OVERVIEW,
};

/** A loader's answer for a page whose subject does not exist: a 404 the error page shows in these words. */
export function pageNotFound(content: Partial<ErrorPageContent> = {}) {
  return Response.json({ errorPage: { ...NOT_FOUND, ...content } }, { status: 404 });
}

function errorPageIn(data: unknown): ErrorPageContent | undefined {
  return data && typeof data === "object" && "errorPage" in data ? (data as { errorPage: ErrorPageContent }).errorPage : undefined;
}

/**
 * Errors this page shows: the app's own 404s and unexpected failures. Anything else (the responses
 * Shopify's authentication throws, such as the session-token bounce) is Shopify's boundary's to handle.
 */
export function isPageError(error: unknown) {
  if (isRouteErrorResponse(error)) return error.status === 404 || error.status >= 500 || errorPageIn(error.data) !== undefined;
  return error instanceof Error;
}

export function errorPageContent(error: unknown): ErrorPageContent {
  if (isRouteErrorResponse(error)) return errorPageIn(error.data) ?? (error.status === 404 ? NOT_FOUND : FAILED);
  return FAILED;
}

export function ErrorPage({ error }: { error: unknown }) {
  const { title, message, back } = errorPageContent(error);
  return (
    <Page title={title} backAction={{ content: back.content, url: back.url }}>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <Text as="p" variant="bodyMd">
                {message}
              </Text>
              <InlineStack>
                <Button variant="primary" url={back.url}>
                  {`Go to ${back.content}`}
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

/**
 * A page route's ErrorBoundary: the error page in place of the page, inside the app's layout (which
 * stays, menu included). Errors it does not show go up to the app's boundary (app/routes/app.tsx).
 */
export function PageErrorBoundary() {
  const error = useRouteError();
  if (!isPageError(error)) throw error;
  return <ErrorPage error={error} />;
}
