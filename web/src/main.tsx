/** Boots the UI: reads /config.json, restores or starts the sign-in, then renders the app. */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { loadConfig } from "./config";
import { Api, ApiError } from "./api/client";
import { ChangeFeed } from "./api/changes";
import { CALLBACK_PATH, Session } from "./auth/session";
import { AppContext } from "./services";
import { App } from "./App";
import { BootError } from "./components/States";
import "./styles.css";

const root = createRoot(document.getElementById("root")!);

function queryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // A 4xx will not mend itself; anything else gets two more tries.
        retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
        refetchOnWindowFocus: false,
        staleTime: 5_000,
      },
    },
  });
}

async function boot(): Promise<void> {
  const config = await loadConfig();
  const session = new Session(config.oidc);
  if (window.location.pathname === CALLBACK_PATH) {
    const returnTo = await session.completeSignIn();
    window.history.replaceState(null, "", returnTo);
  } else if (!(await session.restore())) {
    await session.signIn(window.location.pathname + window.location.search);
    return;
  }
  const api = new Api(config.apiUrl, session);
  const feed = new ChangeFeed(api);
  feed.start();
  root.render(
    <StrictMode>
      <AppContext value={{ config, api, session, feed }}>
        <QueryClientProvider client={queryClient()}>
          <BrowserRouter>
            <App />
          </BrowserRouter>
        </QueryClientProvider>
      </AppContext>
    </StrictMode>,
  );
}

boot().catch((error: unknown) => {
  root.render(<BootError error={error} />);
});
