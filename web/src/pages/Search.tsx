export function Search() {
  return (
    <section>
      <h1>Search</h1>
    </section>
  );
}
