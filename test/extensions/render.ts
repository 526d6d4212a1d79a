import { render, type ComponentChild } from "preact";
import { act } from "preact/test-utils";

/**
 * Renders the extension's Preact tree into the test's DOM (happy-dom), the
 * way the admin renders it into the extension's `document.body`: the `s-*`
 * Polaris web components stay plain elements, so tests read the text and
 * attributes the extension produced and click its real buttons.
 */

export interface Mounted {
  root: HTMLElement;
  text(): string;
  button(label: string): HTMLElement;
  buttonLabels(): string[];
  click(label: string): Promise<void>;
  waitFor(assertion: () => void, timeoutMs?: number): Promise<void>;
  unmount(): void;
}

const squash = (s: string | null) => (s ?? "").replace(/\s+/g, " ").trim();

export async function mount(vnode: ComponentChild): Promise<Mounted> {
  const root = document.createElement("div");
  document.body.appendChild(root);
  await act(() => render(vnode, root));
  const buttons = () => [...root.querySelectorAll<HTMLElement>("s-button")];
  const m: Mounted = {
    root,
    text: () => squash(root.textContent),
    buttonLabels: () => buttons().map((b) => squash(b.textContent)),
    button(label) {
      const found = buttons().find((b) => squash(b.textContent) === label);
      if (!found) throw new Error(`no button "${label}" in: ${m.buttonLabels().join(", ") || "(none)"}`);
      return found;
    },
    async click(label) {
      const target = m.button(label);
      await act(() => {
        target.click();
      });
    },
    async waitFor(assertion, timeoutMs = 2000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          assertion();
          return;
        } catch (error) {
          if (Date.now() > deadline) throw error;
        }
        await act(() => new Promise<void>((r) => setTimeout(r, 2)));
      }
    },
    unmount() {
      render(null, root);
      root.remove();
    },
  };
  return m;
}

/** A stand-in for the admin's fetch: records each call and answers from a script. */
export interface FetchCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

export type Answer = { status?: number; json?: unknown; text?: string } | Error | (() => Promise<Response>);

export function fakeFetch(...answers: Answer[]) {
  const calls: FetchCall[] = [];
  const queue = [...answers];
  let last: Answer | undefined;
  const fetch = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    calls.push({ url, method: init.method ?? "GET", headers, body: typeof init.body === "string" ? JSON.parse(init.body) : undefined });
    // Answers in order; the last one repeats.
    const answer = queue.shift() ?? last;
    last = answer;
    if (!answer) throw new Error(`unexpected fetch ${init.method ?? "GET"} ${url}`);
    if (answer instanceof Error) throw answer;
    if (typeof answer === "function") return answer();
    const body = answer.text ?? JSON.stringify(answer.json ?? null);
    return new Response(body, { status: answer.status ?? 200, headers: { "content-type": answer.text ? "text/html" : "application/json" } });
  };
  return { fetch, calls, push: (...more: Answer[]) => queue.push(...more) };
}
