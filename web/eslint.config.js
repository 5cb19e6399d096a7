import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/"] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ["**/*.{ts,tsx}"],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // Event data is hostile: it renders as text through React's escaping, never as HTML
      // (../shared/reference/ui-anchors.md §4). No HTML sinks anywhere.
      "no-restricted-syntax": [
        "error",
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: "render data as text, never as HTML" },
        { selector: "MemberExpression[property.name=/^(innerHTML|outerHTML)$/]", message: "no HTML sinks" },
        { selector: "CallExpression[callee.property.name='insertAdjacentHTML']", message: "no HTML sinks" },
        { selector: "CallExpression[callee.property.name='write'][callee.object.name='document']", message: "no HTML sinks" },
      ],
      "no-eval": "error",
      "no-implied-eval": "error",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
);
