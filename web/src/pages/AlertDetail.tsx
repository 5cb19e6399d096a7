export function AlertDetail() {
  return (
    <section>
      <h1>AlertDetail</h1>
    </section>
  );
}
