import { useEffect, useMemo, useRef, useState } from "react";
import { useFetcher, useRevalidator } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, Checkbox, InlineStack, List, Text, TextField } from "@shopify/polaris";
import type { ActionResult } from "../../whatsapp/actions.server";
import { isFinal } from "../../whatsapp/message-status";
import type { CommercePageData } from "../../whatsapp/page-data.server";
import { ActionResultBanner } from "./ActionResultBanner";
import { MessageTimeline } from "./MessageTimeline";

/**
 * "Send a product" (issue 18). WhatsApp delivers product messages only
 * inside the 24-hour customer service window, so the merchant first writes
 * to the business number from their own phone; the page notices the message
 * through Meta's webhook (it polls while it waits), then offers the product
 * picker. One product sends a single-product message, 2 to 30 a multi-product
 * message; its delivery shows live, as the test message's does.
 */

const POLL_MS = 2500;
/** How long the page waits for the merchant's message before it stops polling (Reload resumes). */
const WAIT_FOR_MS = 10 * 60_000;
const FOLLOW_FOR_MS = 3 * 60_000;
const MAX_PRODUCTS = 30;
/** Lines the picker needs done; the others (health warnings, commerce settings) do not stop a send. */
const NEEDED = new Set(["number", "catalog", "link", "products"]);

const clock = (iso: string) => new Date(iso).toLocaleString(undefined, { weekday: "short", hour: "numeric", minute: "2-digit" });

function useRevalidateEvery(ms: number, active: boolean) {
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, ms);
    return () => window.clearInterval(timer);
  }, [active, ms, revalidator]);
}

const THUMB = { width: 40, height: 40, borderRadius: 8, background: "#f1f1f1", flexShrink: 0 } as const;

/** The product's image, or a plain tile when it has none or it does not load (also when it failed before hydration). */
function ProductThumb({ src }: { src: string | null }) {
  const [failed, setFailed] = useState(false);
  const ref = useRef<HTMLImageElement>(null);
  useEffect(() => {
    const img = ref.current;
    if (img?.complete && img.naturalWidth === 0) setFailed(true);
  }, []);
  if (!src || failed) return <span aria-hidden style={{ ...THUMB, display: "inline-block", border: "1px solid #e3e3e3", boxSizing: "border-box" }} />;
  return <img ref={ref} src={src} alt="" width={40} height={40} onError={() => setFailed(true)} style={{ ...THUMB, objectFit: "cover" }} />;
}

export function ProductMessageCard({ commerce, sendingFrom }: { commerce: CommercePageData; sendingFrom: string | null }) {
  const fetcher = useFetcher<ActionResult>({ key: "whatsapp-product-message" });
  const [selected, setSelected] = useState<string[]>([]);
  const [query, setQuery] = useState("");
  const [mountedAt] = useState(() => Date.now());
  const blockers = commerce.readiness.lines.filter((l) => NEEDED.has(l.id) && l.state !== "done");
  const open = commerce.window;
  const message = commerce.lastProductMessage;

  // Wait for the merchant's message, then follow the product message until it is read or failed.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), POLL_MS);
    return () => window.clearInterval(timer);
  }, []);
  const waiting = blockers.length === 0 && !open && now - mountedAt < WAIT_FOR_MS;
  const following = Boolean(message && !isFinal(message.status) && now - Date.parse(message.createdAt) < FOLLOW_FOR_MS);
  useRevalidateEvery(POLL_MS, waiting || following);

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return q ? commerce.products.filter((p) => p.title.toLowerCase().includes(q)) : commerce.products;
  }, [commerce.products, query]);
  const toggle = (productId: string, on: boolean) => setSelected((list) => (on ? [...list, productId] : list.filter((id) => id !== productId)));
  const send = () => fetcher.submit({ intent: "send-product", productIds: selected }, { method: "post", encType: "application/json" });
  // Once Meta accepted the message, start a fresh choice (no accidental second send of the same products).
  const result = fetcher.data;
  useEffect(() => {
    if (result?.ok && result.intent === "send-product") setSelected([]);
  }, [result]);
  const count = selected.length;

  return (
    <Card>
      <div data-testid="product-card">
        <BlockStack gap="400">
          <Text as="h2" variant="headingMd">
            Send a product
          </Text>
          {blockers.length > 0 ? (
            <div data-testid="product-blocked">
              <BlockStack gap="200">
                <Text as="p" tone="subdued">
                  Finish these steps of the checklist first:
                </Text>
                <List>
                  {blockers.map((l) => (
                    <List.Item key={l.id}>{l.title}</List.Item>
                  ))}
                </List>
              </BlockStack>
            </div>
          ) : !open ? (
            <div data-testid="product-window" data-open="no">
              <BlockStack gap="200">
                <Text as="p">
                  WhatsApp delivers products only to someone who wrote to your business number in the last 24 hours. Send any message (“Hi” is
                  enough) from your own phone to <Text as="span" fontWeight="semibold">{sendingFrom ?? "your business number"}</Text> on WhatsApp.
                </Text>
                <Text as="p" tone="subdued">
                  {waiting ? "Waiting for your message… this page notices it within seconds." : "Still waiting? Reload the page after you sent the message."}
                </Text>
              </BlockStack>
            </div>
          ) : (
            <div data-testid="product-window" data-open="yes">
              <Banner tone="success" title={`Message received from ${open.sender}`}>
                <p>
                  You can send products to this customer until {clock(open.closesAt)} (WhatsApp&apos;s 24-hour customer service window, counted from their
                  last message at {clock(open.lastInboundAt)}).
                </p>
              </Banner>
            </div>
          )}

          {blockers.length === 0 && (
            <BlockStack gap="300">
              <InlineStack align="space-between" blockAlign="end" gap="300">
                <Box minWidth="240px">
                  <TextField label="Find a product" value={query} onChange={setQuery} autoComplete="off" placeholder="Product name" clearButton onClearButtonClick={() => setQuery("")} />
                </Box>
                <Text as="span" tone="subdued">
                  {count === 0 ? `Choose 1 to ${MAX_PRODUCTS} products` : `${count} chosen`}
                </Text>
              </InlineStack>
              <div data-testid="product-picker" style={{ maxHeight: 320, overflowY: "auto" }}>
                <BlockStack gap="100">
                  {shown.length === 0 && (
                    <Text as="p" tone="subdued">
                      {commerce.products.length === 0 ? "No product is in the catalog yet." : "No product matches."}
                    </Text>
                  )}
                  {shown.map((p) => {
                    const checked = selected.includes(p.productId);
                    return (
                      <div key={p.productId} data-testid={`product-option-${p.productId}`}>
                        <InlineStack gap="300" blockAlign="center" wrap={false}>
                          <Checkbox
                            label={p.title}
                            labelHidden
                            checked={checked}
                            disabled={!checked && count >= MAX_PRODUCTS}
                            onChange={(on) => toggle(p.productId, on)}
                          />
                          <ProductThumb src={p.imageUrl} />
                          <Box width="100%">
                            <Text as="span">{p.title}</Text>
                          </Box>
                          {p.price && (
                            <span style={{ whiteSpace: "nowrap" }}>
                              <Text as="span" tone="subdued">
                                {p.price}
                              </Text>
                            </span>
                          )}
                        </InlineStack>
                      </div>
                    );
                  })}
                </BlockStack>
              </div>
              <InlineStack gap="300" blockAlign="center">
                <span data-testid="product-send">
                  <Button variant="primary" disabled={!open || count === 0} loading={fetcher.state !== "idle"} onClick={send}>
                    {count > 1 ? `Send ${count} products` : "Send product"}
                  </Button>
                </span>
                {!open && (
                  <Text as="span" tone="subdued">
                    Available once your message has arrived.
                  </Text>
                )}
              </InlineStack>
            </BlockStack>
          )}

          {fetcher.data && fetcher.state === "idle" && <ActionResultBanner result={fetcher.data} />}
          {message && (
            <div data-testid="product-message">
              <BlockStack gap="200">
                <Text as="h3" variant="headingSm">
                  Last product message: {message.products.map((p) => p.title).join(", ")}
                </Text>
                <MessageTimeline message={message} testIds={{ status: "product-message-status", step: "product-timeline", failed: "product-timeline-failed" }} />
              </BlockStack>
            </div>
          )}
        </BlockStack>
      </div>
    </Card>
  );
}
