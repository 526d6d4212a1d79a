import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { PageErrorBoundary, pageNotFound } from "../components/error-page";

/** Any address under /app that no page serves: the error page, inside the app's frame and menu. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  throw pageNotFound();
};

export const action = loader;

// A page route (not a resource route), so Remix renders what the loader throws in the app's layout.
export default function UnknownPage() {
  return null;
}

export const ErrorBoundary = PageErrorBoundary;
