/**
 * Interactive product messages (issue 18): the single-product (`product`)
 * and multi-product (`product_list`) payloads of POST /{phone-number-id}/messages,
 * checked against Meta's limits before any request is made. Pure: shared by
 * the client and its tests.
 *
 * Sources:
 * - Single-product messages: `interactive.type` "product", `action.catalog_id`
 *   and `action.product_retailer_id`; body and footer optional, no header
 *   (https://developers.facebook.com/documentation/business-messaging/whatsapp/catalogs/single-product-messages).
 * - Multi-product messages "display up to 30 products from your catalog,
 *   organized into sections": `interactive.type` "product_list", a text
 *   header and a body are required, `action.catalog_id` and `action.sections`
 *   (https://developers.facebook.com/documentation/business-messaging/whatsapp/catalogs/multi-product-messages).
 * - Limits as WhatsApp's own Node.js SDK documents them
 *   (https://whatsapp.github.io/WhatsApp-Nodejs-SDK/api-reference/types/InteractiveObject,
 *   .../ActionObject, .../SectionObject, .../HeaderObject): body at most 1,024
 *   characters, footer and header text at most 60, 1 to 10 sections, at least
 *   one product per section and at most 30 across all sections, a section
 *   title (required when there is more than one section) at most 24.
 */

export const PRODUCT_LIST_MAX_ITEMS = 30;
export const PRODUCT_LIST_MAX_SECTIONS = 10;
export const SECTION_TITLE_MAX = 24;
export const HEADER_TEXT_MAX = 60;
export const BODY_TEXT_MAX = 1024;
export const FOOTER_TEXT_MAX = 60;

/**
 * Who receives the message: a phone number (`to`), or, for a WhatsApp user
 * who hides their number behind a username, the business-scoped user id
 * (`recipient`; https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids).
 */
export type Recipient = { phone: string } | { userId: string };

export interface SingleProduct {
  catalogId: string;
  retailerId: string;
  body?: string;
  footer?: string;
}

export interface ProductSection {
  title: string;
  retailerIds: string[];
}

export interface ProductList {
  catalogId: string;
  header: string;
  body: string;
  footer?: string;
  sections: ProductSection[];
}

const text = (value: string | undefined, max: number, what: string, required: boolean): { text: string } | undefined => {
  if (value === undefined || value === "") {
    if (required) throw new RangeError(`a ${what} is required`);
    return undefined;
  }
  if ([...value].length > max) throw new RangeError(`the ${what} takes at most ${max} characters`);
  return { text: value };
};

function recipientFields(to: Recipient) {
  return "phone" in to ? { to: to.phone } : { recipient: to.userId };
}

function retailerId(id: string) {
  if (typeof id !== "string" || id.trim() === "") throw new RangeError("every product needs its retailer id");
  return id;
}

export function singleProductPayload(to: Recipient, product: SingleProduct) {
  const body = text(product.body, BODY_TEXT_MAX, "body", false);
  const footer = text(product.footer, FOOTER_TEXT_MAX, "footer", false);
  return {
    messaging_product: "whatsapp",
    recipient_type: "individual",
    ...recipientFields(to),
    type: "interactive",
    interactive: {
      type: "product",
      ...(body ? { body } : {}),
      ...(footer ? { footer } : {}),
      action: { catalog_id: product.catalogId, product_retailer_id: retailerId(product.retailerId) },
    },
  };
}

export function productListPayload(to: Recipient, list: ProductList) {
  const { sections } = list;
  if (sections.length === 0 || sections.length > PRODUCT_LIST_MAX_SECTIONS) {
    throw new RangeError(`a multi-product message has 1 to ${PRODUCT_LIST_MAX_SECTIONS} sections; got ${sections.length}`);
  }
  const total = sections.reduce((n, s) => n + s.retailerIds.length, 0);
  if (total > PRODUCT_LIST_MAX_ITEMS) throw new RangeError(`a multi-product message takes at most ${PRODUCT_LIST_MAX_ITEMS} products; got ${total}`);
  return {
    messaging_product: "whatsapp",
    recipient_type: "individual",
    ...recipientFields(to),
    type: "interactive",
    interactive: {
      type: "product_list",
      header: { type: "text", ...text(list.header, HEADER_TEXT_MAX, "header", true) },
      body: text(list.body, BODY_TEXT_MAX, "body", true),
      ...(list.footer ? { footer: text(list.footer, FOOTER_TEXT_MAX, "footer", false) } : {}),
      action: {
        catalog_id: list.catalogId,
        sections: sections.map((section) => {
          if (section.retailerIds.length === 0) throw new RangeError("every section needs at least one product");
          const title = text(section.title, SECTION_TITLE_MAX, "section title", sections.length > 1);
          return { ...(title ? { title: title.text } : {}), product_items: section.retailerIds.map((id) => ({ product_retailer_id: retailerId(id) })) };
        }),
      },
    },
  };
}
