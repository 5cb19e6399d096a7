import { Link } from "react-router";
import { useIdentity } from "../services";

/** MozDef's greeting, with the ways in. */
export function Home() {
  const identity = useIdentity();
  return (
    <section className="home">
      <h1>MozDef</h1>
      <p>The Mozilla Defense Platform{identity ? `: signed in as ${identity.email} (${identity.role})` : ""}.</p>
      <ul className="home-links">
        <li>
          <Link to="/alerts">Alerts</Link> to triage
        </li>
        <li>
          <Link to="/incidents">Incidents</Link> and <Link to="/investigations">investigations</Link> to work
        </li>
        <li>
          <Link to="/search">Search events</Link>
        </li>
        <li>
          <Link to="/about">Health and status</Link>
        </li>
      </ul>
    </section>
  );
}
