import type { z } from "zod";

/**
 * Every form and action of the app words a refused input the same way: the
 * field as the merchant knows it, what is wrong, and what to do, never zod's
 * "Too big: expected string to have <=1000 characters" nor a received value.
 * Pass `merchantErrors(labels)` as the `error` option of `safeParse`: a
 * schema's own message (e.g. "Enter the number in international format")
 * still wins over it (zod's precedence: schema, then per-parse map).
 */

/** Field names (the top-level key of the input) as the page labels them, e.g. { token: "The access token" }. */
export type FieldLabels = Record<string, string>;

const RELOAD = "Reload the page and try again.";

export function merchantErrors(labels: FieldLabels): z.core.$ZodErrorMap {
  return (issue) => {
    const key = typeof issue.path?.[0] === "string" ? issue.path[0] : undefined;
    const label = key ? labels[key] : undefined;
    // A field the page does not show (intent, ids it sends itself): the page is out of date or the body was not built by it.
    if (!label) return `This page sent something the app did not expect. ${RELOAD}`;
    switch (issue.code) {
      case "too_big":
        return issue.origin === "array"
          ? `${label}: choose at most ${String(issue.maximum)}.`
          : issue.origin === "string"
            ? `${label} is too long: at most ${String(issue.maximum)} characters.`
            : `${label} is too large.`;
      case "too_small":
        if (issue.origin === "array") return `${label}: choose at least ${String(issue.minimum)}.`;
        return issue.origin === "string" && Number(issue.minimum) <= 1 ? `${label} is empty: fill it in.` : `${label} is too short: at least ${String(issue.minimum)} characters.`;
      case "invalid_type":
        return issue.input === undefined ? `${label} is missing: fill it in.` : `${label} is not valid. ${RELOAD}`;
      default:
        return `${label} is not valid: check it and try again.`;
    }
  };
}

/** The first problem of a refused input, already in the merchant's words (see merchantErrors). */
export function firstProblem(error: z.ZodError): string {
  return error.issues[0]?.message ?? `The request was not understood. ${RELOAD}`;
}
