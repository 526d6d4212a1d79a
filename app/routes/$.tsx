/**
 * Every URL no other route serves: a clear 404 (JSON for API and webhook
 * paths, text otherwise) instead of Remix's "Unhandled Thrown Response" page.
 */
function notFound(request: Request) {
  const { pathname } = new URL(request.url);
  if (/^\/(api|webhooks)\//.test(pathname)) {
    return Response.json({ error: `No such endpoint: ${request.method} ${pathname}` }, { status: 404 });
  }
  return new Response("Not found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
}

export const loader = ({ request }: { request: Request }) => notFound(request);
export const action = ({ request }: { request: Request }) => notFound(request);
