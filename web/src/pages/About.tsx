export function About() {
  return (
    <section>
      <h1>About</h1>
    </section>
  );
}
