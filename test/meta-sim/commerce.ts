import { requireScope, requireToken, requireWhatsAppManage } from "./auth";
import { GraphError, invalidParam } from "./graph-error";
import { parseFields, pick } from "./fields";
import { json, paginate, stringParam } from "./request";
import type { Ctx, RouteDef } from "./routes";
import type { SimCatalog, SimPhoneNumber, SimWaba } from "./state";

/**
 * WhatsApp commerce (issue 18): the catalog linked to a WABA and a number's
 * commerce settings.
 *
 * - GET|POST /{waba-id}/product_catalogs: "Returns the product catalog
 *   connected to the WhatsApp Business Account"; POST takes `catalog_id`
 *   (numeric string, required) and returns { success: bool }. The reference
 *   lists whatsapp_business_management, whatsapp_business_messaging and
 *   catalog_management among its requirements
 *   (https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/product_catalogs/):
 *   the simulator asks for the WABA's management permission and
 *   catalog_management (on that catalog, for POST and DELETE), so a WhatsApp
 *   token without catalog_management fails here as it does at Meta, with
 *   (#200) naming the permission.
 * - DELETE /{waba-id}/product_catalogs with `catalog_id`: in Meta's Business
 *   SDK v25.0.2 (WhatsAppBusinessAccount.delete_product_catalogs), although
 *   the reference page still says the edge cannot be deleted.
 * - One catalog per WABA. What Meta does with a POST while another catalog is
 *   linked is not documented: the simulator refuses it (code 100, its own
 *   words), so an app must unlink first, which works whatever Meta does.
 * - GET|POST /{phone-number-id}/whatsapp_commerce_settings: { data: [{ id,
 *   is_cart_enabled, is_catalog_visible }] }; POST with `is_cart_enabled`
 *   and/or `is_catalog_visible` answers { success: true }; defaults cart on,
 *   catalog hidden (https://developers.facebook.com/documentation/business-messaging/whatsapp/catalogs/set-commerce-settings/;
 *   Commerce Settings API reference). The page names no permission beyond
 *   the number's WABA; the simulator asks for the WABA's management permission.
 */

const CATALOG_SCOPE = "catalog_management";

const CATALOG_FIELDS: Record<string, (c: SimCatalog) => unknown> = {
  id: (c) => c.id,
  name: (c) => c.name,
  vertical: (c) => c.vertical,
  product_count: (c) => c.items.size,
};

function wabaOf(ctx: Ctx): SimWaba {
  const token = requireToken(ctx.state, ctx.req);
  requireWhatsAppManage(token, ctx.id);
  return ctx.state.wabas.get(ctx.id)!;
}

function phoneOf(ctx: Ctx): SimPhoneNumber {
  const phone = ctx.state.phones.get(ctx.id)!;
  const token = requireToken(ctx.state, ctx.req);
  requireWhatsAppManage(token, phone.wabaId);
  return phone;
}

/** The catalog named by catalog_id, which the token must be allowed to manage. */
function catalogParam(ctx: Ctx): SimCatalog {
  const token = requireToken(ctx.state, ctx.req);
  const id = stringParam(ctx.req.params, "catalog_id");
  if (!id) throw invalidParam("(#100) The parameter catalog_id is required");
  requireScope(token, CATALOG_SCOPE, id);
  const catalog = ctx.state.catalogs.get(id);
  if (!catalog) throw invalidParam(`(#100) Param catalog_id must be a valid catalog id; got ${id}`);
  return catalog;
}

function parseBool(value: unknown, name: string): boolean | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  throw invalidParam(`(#100) Param ${name} must be a boolean`);
}

export const commerceRoutes: RouteDef[] = [
  {
    label: "GET /{waba-id}/product_catalogs",
    method: "GET",
    kind: "waba",
    edge: "product_catalogs",
    handle: (ctx) => {
      const waba = wabaOf(ctx);
      requireScope(requireToken(ctx.state, ctx.req), CATALOG_SCOPE);
      const linked = waba.linkedCatalogId ? ctx.state.catalogs.get(waba.linkedCatalogId) : undefined;
      const fields = parseFields(ctx.req.params.fields, ["id", "name"]);
      const page = paginate(linked ? [linked] : [], ctx.req.params, (after) => ctx.selfUrl({ after }));
      return json({ data: page.data.map((c) => pick(ctx.state, "ProductCatalog", c, CATALOG_FIELDS, fields)), ...(page.paging ? { paging: page.paging } : {}) });
    },
  },
  {
    label: "POST /{waba-id}/product_catalogs",
    method: "POST",
    kind: "waba",
    edge: "product_catalogs",
    handle: (ctx) => {
      const waba = wabaOf(ctx);
      const catalog = catalogParam(ctx);
      if (waba.linkedCatalogId && waba.linkedCatalogId !== catalog.id) {
        throw new GraphError(400, 100, "(#100) A catalog is already connected to this WhatsApp Business Account. Disconnect it before connecting another one.");
      }
      waba.linkedCatalogId = catalog.id;
      return json({ success: true });
    },
  },
  {
    label: "DELETE /{waba-id}/product_catalogs",
    method: "DELETE",
    kind: "waba",
    edge: "product_catalogs",
    handle: (ctx) => {
      const waba = wabaOf(ctx);
      const catalog = catalogParam(ctx);
      if (waba.linkedCatalogId !== catalog.id) throw invalidParam(`(#100) Catalog ${catalog.id} is not connected to this WhatsApp Business Account`);
      waba.linkedCatalogId = null;
      return json({ success: true });
    },
  },
  {
    label: "GET /{phone-number-id}/whatsapp_commerce_settings",
    method: "GET",
    kind: "phone",
    edge: "whatsapp_commerce_settings",
    handle: (ctx) => {
      const { commerce } = phoneOf(ctx);
      return json({ data: [{ id: commerce.id, is_cart_enabled: commerce.cartEnabled, is_catalog_visible: commerce.catalogVisible }] });
    },
  },
  {
    label: "POST /{phone-number-id}/whatsapp_commerce_settings",
    method: "POST",
    kind: "phone",
    edge: "whatsapp_commerce_settings",
    handle: (ctx) => {
      const phone = phoneOf(ctx);
      const cart = parseBool(ctx.req.params.is_cart_enabled, "is_cart_enabled");
      const visible = parseBool(ctx.req.params.is_catalog_visible, "is_catalog_visible");
      if (cart === undefined && visible === undefined) throw invalidParam("(#100) The parameter is_cart_enabled or is_catalog_visible is required");
      if (cart !== undefined) phone.commerce.cartEnabled = cart;
      if (visible !== undefined) phone.commerce.catalogVisible = visible;
      return json({ success: true });
    },
  },
];
