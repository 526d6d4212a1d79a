/**
 * The Admin API stand-in in a process of its own (figure 6): generating a
 * bulk export of 100,000 variants is seconds of CPU, and in the benchmark's
 * process it held the Meta simulator that times the other shops' items, so
 * the figure measured the stand-in, not the worker. PORT, SHOP and PRODUCTS
 * (products of about five variants, as figure 4's store) come from the
 * environment.
 */
import { createShopifySimulator } from "../../shopify-sim/server";
import { store } from "../figures/full-sync";

const port = Number(process.env.PORT);
const shop = process.env.SHOP ?? "";
const products = Number(process.env.PRODUCTS ?? 0);
const shopify = await createShopifySimulator({ port });
shopify.setProducts(shop, store(products, products * 5));
console.log(`shopify stand-in listening on ${shopify.url}`);
process.once("SIGTERM", () => void shopify.close().then(() => process.exit(0)));
