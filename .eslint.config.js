import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";

export default tseslint.config(
  { ignores: ["build/**", "node_modules/**", "prisma/generated/**", "test/output/**", "extensions/**/dist/**", "**/*.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  // Scripts served to the browser as they are (the sandbox's App Bridge stand-in).
  { files: ["**/*.js"], languageOptions: { globals: { ...globals.browser }, sourceType: "script" } },
  {
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": [
        "error",
        { selector: "CallExpression[callee.property.name='only']", message: "No focused tests." },
      ],
    },
  },
  {
    files: ["app/**/*.{ts,tsx}"],
    ignores: ["app/env.server.ts", "app/vite.config.ts", "app/**/*.test.{ts,tsx}"],
    rules: {
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read configuration through app/env.server.ts (env() or envVars())." }],
    },
  },
  {
    // One way to reach the database (README "One way to reach the database"): entry points import the
    // process's `db`; every other module is given it.
    files: ["app/**/*.{ts,tsx}"],
    ignores: ["app/routes/**", "app/server.ts", "app/worker.ts", "app/shopify.server.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["**/db.server"], importNames: ["db"], message: "Take `db` as a parameter; only entry points import it." }] }],
    },
  },
);
