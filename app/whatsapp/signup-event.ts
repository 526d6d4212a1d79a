import { z } from "zod";

/**
 * What the page reports from Meta's WA_EMBEDDED_SIGNUP message event, as
 * the server accepts it. Ids are Graph ids (digits for Meta; the simulator
 * and sandbox use the same). Shared by the route's zod input and discovery.
 */

export const FINISH_EVENTS = ["FINISH", "FINISH_ONLY_WABA", "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING"] as const;

const graphId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const SignupEvent = z.object({
  event: z.enum(FINISH_EVENTS),
  wabaId: graphId.nullish(),
  phoneNumberId: graphId.nullish(),
  businessId: graphId.nullish(),
});

export type SignupEvent = z.infer<typeof SignupEvent>;
