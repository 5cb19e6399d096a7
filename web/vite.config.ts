import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The UI is static files: `npm run build` writes them to dist/, which `mozdef dev` serves at /
// and the AWS stack uploads to its S3 bucket behind CloudFront. `npm run dev` proxies the API
// to a `mozdef dev` on 127.0.0.1:8080.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    sourcemap: false,
    // No inline scripts or styles: the content security policy allows 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8080", "/config.json": "http://127.0.0.1:8080" },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
