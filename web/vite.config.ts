import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The UI is static files: `npm run build` writes them to dist/, which `mozdef dev` serves at /
// and the AWS stack uploads to its S3 bucket behind CloudFront. `npm run dev` proxies the API
// to a `mozdef dev` at $MOZDEF_API (default http://127.0.0.1:8080), whose /config.json it uses.
const api = process.env.MOZDEF_API ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [
    react(),
    {
      // Before `mozdef dev` serves /config.json itself: an open API on loopback.
      name: "mozdef-dev-config",
      configureServer(server) {
        server.middlewares.use("/config.json", (_req, res) => {
          fetch(`${api}/config.json`)
            .then(async (r) => {
              if (!r.ok) throw new Error(String(r.status));
              res.setHeader("Content-Type", "application/json");
              res.end(await r.text());
            })
            .catch(() => {
              res.setHeader("Content-Type", "application/json");
              res.end(JSON.stringify({ apiUrl: "", oidc: null, dashboardsUrl: null }));
            });
        });
      },
    },
  ],
  build: {
    outDir: "dist",
    sourcemap: false,
    // No inline scripts or styles: the content security policy allows 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { "/api": api },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
