export function Veris() {
  return (
    <section>
      <h1>Veris</h1>
    </section>
  );
}
