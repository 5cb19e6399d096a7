/** The pages, at MozDef's paths. */
import { Route, Routes } from "react-router";
import { Layout } from "./components/Layout";
import { Home } from "./pages/Home";
import { NotFound } from "./pages/NotFound";
import { Alerts } from "./pages/Alerts";
import { AlertDetail } from "./pages/AlertDetail";
import { CaseList } from "./pages/CaseList";
import { CaseEdit, CaseNew } from "./pages/CaseEdit";
import { Veris } from "./pages/Veris";
import { ListPage } from "./pages/ListPage";
import { ManageAlerts } from "./pages/ManageAlerts";
import { PreferencesPage } from "./pages/Preferences";
import { About } from "./pages/About";
import { Search } from "./pages/Search";

export function App() {
  return (
    <Layout>
      <Routes>
        <Route path="/" element={<Home />} />
        <Route path="/alerts" element={<Alerts />} />
        <Route path="/alert/:id" element={<AlertDetail />} />
        <Route path="/incidents" element={<CaseList collection="incidents" />} />
        <Route path="/incident/new" element={<CaseNew collection="incidents" />} />
        <Route path="/incident/:id/edit" element={<CaseEdit collection="incidents" />} />
        <Route path="/investigations" element={<CaseList collection="investigations" />} />
        <Route path="/investigation/new" element={<CaseNew collection="investigations" />} />
        <Route path="/investigation/:id/edit" element={<CaseEdit collection="investigations" />} />
        <Route path="/veris" element={<Veris />} />
        <Route path="/incidents/veris" element={<Veris />} />
        <Route path="/investigations/veris" element={<Veris />} />
        <Route path="/watchlist" element={<ListPage kind="watchlist" />} />
        <Route path="/watchitem/:value" element={<ListPage kind="watchlist" />} />
        <Route path="/ipblocklist" element={<ListPage kind="ipblocklist" />} />
        <Route path="/blockip/:value" element={<ListPage kind="ipblocklist" />} />
        <Route path="/fqdnblocklist" element={<ListPage kind="fqdnblocklist" />} />
        <Route path="/blockfqdn/:value" element={<ListPage kind="fqdnblocklist" />} />
        <Route path="/manage-alerts" element={<ManageAlerts />} />
        <Route path="/preferences" element={<PreferencesPage />} />
        <Route path="/about" element={<About />} />
        <Route path="/search" element={<Search />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Layout>
  );
}
