export function Alerts() {
  return (
    <section>
      <h1>Alerts</h1>
    </section>
  );
}
