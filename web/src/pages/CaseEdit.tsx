export function CaseEdit({ collection }: { collection: "incidents" | "investigations" }) {
  return (
    <section>
      <h1>{collection}</h1>
    </section>
  );
}
export function CaseNew({ collection }: { collection: "incidents" | "investigations" }) {
  return (
    <section>
      <h1>New {collection}</h1>
    </section>
  );
}
