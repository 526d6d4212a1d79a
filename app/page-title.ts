import type { MetaDescriptor } from "@remix-run/node";

/** The app's name, the document title of a page that sets none (root.tsx) and the end of every page's. */
export const APP_NAME = "WhatsApp & Meta Catalog";

/**
 * A page's document title, e.g. "WhatsApp · WhatsApp & Meta Catalog": the page first, so a tab
 * and a screen reader say where the merchant is (axe's document-title; issue 16).
 */
export function pageTitle(page: string | null | undefined): MetaDescriptor[] {
  return [{ title: page ? `${page} · ${APP_NAME}` : APP_NAME }];
}
