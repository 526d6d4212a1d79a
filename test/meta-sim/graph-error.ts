import { randomBytes } from "node:crypto";

/**
 * Errors as the Graph API sends them: HTTP status plus the envelope
 * `{ error: { message, type, code, error_subcode?, fbtrace_id } }`.
 * Handlers throw GraphError; the server turns it into the response.
 */

export const fbtraceId = () => randomBytes(8).toString("base64").replace(/[+/=]/g, "").slice(0, 11);

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly opts: {
      subcode?: number;
      type?: string;
      headers?: Record<string, string>;
      isTransient?: boolean;
      userTitle?: string;
      userMessage?: string;
      /** Cloud API errors say what exactly failed in error_data.details (WhatsApp error codes page). */
      details?: string;
    } = {},
  ) {
    super(message);
  }

  envelope() {
    const { subcode, type, isTransient, userTitle, userMessage, details } = this.opts;
    return {
      error: {
        message: this.message,
        type: type ?? "OAuthException",
        code: this.code,
        ...(subcode !== undefined ? { error_subcode: subcode } : {}),
        ...(isTransient !== undefined ? { is_transient: isTransient } : {}),
        ...(userTitle ? { error_user_title: userTitle } : {}),
        ...(userMessage ? { error_user_msg: userMessage } : {}),
        ...(details ? { error_data: { messaging_product: "whatsapp", details } } : {}),
        fbtrace_id: fbtraceId(),
      },
    };
  }
}

/** (#100): a missing or invalid parameter. */
export const invalidParam = (message: string, subcode?: number) =>
  new GraphError(400, 100, message.startsWith("(#") ? message : `(#100) ${message}`, { subcode });

export const unsupported = (method: string, id: string) =>
  new GraphError(
    400,
    100,
    `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    { subcode: 33, type: "GraphMethodException" },
  );

const TOKEN_MESSAGES: Record<number, string> = {
  458: "Error validating access token: The user has not authorized application.",
  460: "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.",
  463: "Error validating access token: Session has expired.",
  467: "Error validating access token: The access token is invalid.",
  492: "Error validating access token: The session is invalid.",
};

export function tokenMessage(subcode: number | null): string {
  return (subcode !== null && TOKEN_MESSAGES[subcode]) || "Invalid OAuth access token - Cannot parse access token";
}

export const tokenError = (subcode: number | null) =>
  new GraphError(400, 190, tokenMessage(subcode), subcode !== null ? { subcode } : {});

export const permissionError = (scope: string, objectId?: string) =>
  new GraphError(
    403,
    200,
    objectId ? `(#200) Requires ${scope} permission to access object ${objectId}` : `(#200) Requires ${scope} permission`,
    { type: "OAuthException" },
  );

const THROTTLE_MESSAGES: Record<number, string> = {
  4: "(#4) Application request limit reached",
  17: "(#17) User request limit reached",
  32: "(#32) Page request limit reached",
  613: "(#613) Calls to this api have exceeded the rate limit.",
  80014: "(#80014) There have been too many calls for this catalog. Wait a bit and try again.",
};

export const throttleMessage = (code: number) =>
  THROTTLE_MESSAGES[code] ?? `(#${code}) There have been too many calls from this business account. Wait a bit and try again.`;
