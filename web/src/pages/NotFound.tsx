import { Link, useLocation } from "react-router";

export function NotFound() {
  const location = useLocation();
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no page at <code>{location.pathname}</code>. Go to the <Link to="/alerts">alerts</Link>.
      </p>
    </section>
  );
}
