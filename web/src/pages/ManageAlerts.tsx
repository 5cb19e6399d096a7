export function ManageAlerts() {
  return (
    <section>
      <h1>ManageAlerts</h1>
    </section>
  );
}
