export function CaseList({ collection }: { collection: "incidents" | "investigations" }) {
  return (
    <section>
      <h1>{collection}</h1>
    </section>
  );
}
