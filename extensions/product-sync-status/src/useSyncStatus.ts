import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { fetchSyncStatus, postSyncAction, StatusError, type FetchLike } from "./client";
import { ACTION_LABELS, type SyncAction, type SyncStatus } from "./model";

/**
 * The block's data: loads the product's status, runs "Sync now" / "Exclude" /
 * "Include again", and re-checks a pending product every few seconds until
 * the worker has settled it (for at most `maxPolls` rounds).
 */

export type LoadState = { kind: "loading" } | { kind: "error"; message: string } | { kind: "ready"; data: SyncStatus };
export interface Notice {
  tone: "success" | "critical";
  message: string;
}

export interface SyncStatusOptions {
  productId: string | null;
  fetch: FetchLike;
  /** Variant id -> title ("S / Red"), read from Shopify; optional and best-effort. */
  loadVariantTitles?: () => Promise<Record<string, string>>;
  pollMs?: number;
  maxPolls?: number;
}

export interface SyncStatusModel {
  state: LoadState;
  busy: SyncAction | null;
  notice: Notice | null;
  variantTitles: Record<string, string>;
  run(action: SyncAction): void;
  reload(): void;
}

const messageOf = (error: unknown) => (error instanceof StatusError ? error.message : "Something went wrong loading the catalog status.");

export function useSyncStatus({ productId, fetch, loadVariantTitles, pollMs = 5000, maxPolls = 12 }: SyncStatusOptions): SyncStatusModel {
  const [state, setState] = useState<LoadState>({ kind: "loading" });
  const [busy, setBusy] = useState<SyncAction | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [variantTitles, setVariantTitles] = useState<Record<string, string>>({});
  const [polls, setPolls] = useState(0);
  // Only the newest request may update the block (a slow GET must not undo a POST's answer).
  const latest = useRef(0);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  const load = useCallback(
    async (quiet: boolean) => {
      if (!productId) {
        setState({ kind: "error", message: "This block only works on a product's page." });
        return;
      }
      const seq = ++latest.current;
      if (!quiet) setState({ kind: "loading" });
      try {
        const data = await fetchSyncStatus(fetch, productId);
        if (mounted.current && seq === latest.current) setState({ kind: "ready", data });
      } catch (error) {
        // A failed background re-check keeps what is shown; a failed first load shows the error.
        if (mounted.current && seq === latest.current && !quiet) setState({ kind: "error", message: messageOf(error) });
      }
    },
    [fetch, productId],
  );

  useEffect(() => {
    setPolls(0);
    void load(false);
  }, [load]);

  useEffect(() => {
    if (!loadVariantTitles) return;
    loadVariantTitles().then(
      (titles) => mounted.current && setVariantTitles(titles),
      () => undefined, // titles are a nicety: "Variant 123" is shown without them
    );
  }, [loadVariantTitles]);

  const pending = state.kind === "ready" && state.data.product?.status === "PENDING";
  useEffect(() => {
    if (!pending || busy || polls >= maxPolls) return;
    const timer = setTimeout(() => {
      setPolls((n) => n + 1);
      void load(true);
    }, pollMs);
    return () => clearTimeout(timer);
  }, [pending, busy, polls, maxPolls, pollMs, load]);

  const run = useCallback(
    (action: SyncAction) => {
      if (!productId || busy) return;
      const seq = ++latest.current;
      setBusy(action);
      setNotice(null);
      postSyncAction(fetch, productId, action).then(
        (data) => {
          if (!mounted.current) return;
          if (seq === latest.current) setState({ kind: "ready", data });
          setPolls(0);
          setBusy(null);
          setNotice({ tone: "success", message: ACTION_LABELS[action].done });
        },
        (error: unknown) => {
          if (!mounted.current) return;
          setBusy(null);
          setNotice({ tone: "critical", message: `${ACTION_LABELS[action].failed}: ${messageOf(error)}` });
        },
      );
    },
    [busy, fetch, productId],
  );

  const reload = useCallback(() => {
    setNotice(null);
    setPolls(0);
    void load(false);
  }, [load]);

  return { state, busy, notice, variantTitles, run, reload };
}
