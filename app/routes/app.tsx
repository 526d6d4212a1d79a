import type { ReactNode } from "react";
import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError, useRouteLoaderData } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { authenticate } from "../shopify.server";
import { db } from "../db.server";
import { ensureShop } from "../shop.server";
import { env } from "../env.server";
import { ErrorPage, errorPageContent, isPageError } from "../components/error-page";
import { pageTitle } from "../page-title";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  await ensureShop(db, session.shop);
  return {
    apiKey: env().SHOPIFY_API_KEY,
    // The sandbox serves a local App Bridge stand-in (test/sandbox); Shopify's CDN otherwise.
    appBridgeUrl: env().APP_BRIDGE_URL,
  };
};

type AppData = Awaited<ReturnType<typeof loader>>;

/** App Bridge, Polaris and the admin's menu around every page, error pages included. */
function AppLayout({ apiKey, appBridgeUrl, children }: AppData & { children: ReactNode }) {
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey} __APP_BRIDGE_URL={appBridgeUrl}>
      <NavMenu>
        <Link to="/app" rel="home">
          Overview
        </Link>
        <Link to="/app/whatsapp">WhatsApp</Link>
        <Link to="/app/catalog">Catalog</Link>
      </NavMenu>
      {/* The page's main landmark, for screen readers' "skip to main" (axe: landmark-one-main, region). */}
      <main>{children}</main>
    </AppProvider>
  );
}

export default function App() {
  const data = useLoaderData<typeof loader>();
  return (
    <AppLayout {...data}>
      <Outlet />
    </AppLayout>
  );
}

/**
 * A page that cannot be shown (an unknown product, an unexpected failure) shows the error page in
 * the app's layout, with its menu and a way back. Shopify needs Remix to catch the responses its
 * authentication throws so their headers reach the browser: those, and any error before this
 * layout's own data exists, go to Shopify's boundary.
 */
export function ErrorBoundary() {
  const error = useRouteError();
  const data = useRouteLoaderData<typeof loader>("routes/app");
  if (!data || !isPageError(error)) return boundary.error(error);
  return (
    <AppLayout {...data}>
      <ErrorPage error={error} />
    </AppLayout>
  );
}

// A page that cannot be shown is titled as its error page ("Product not found · …"); the pages set their own otherwise.
export const meta: MetaFunction = ({ error }) => pageTitle(error && isPageError(error) ? errorPageContent(error).title : null);

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
