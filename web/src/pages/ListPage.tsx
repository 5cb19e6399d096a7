import type { ListKind } from "../components/ListEntryForm";

export function ListPage({ kind }: { kind: ListKind }) {
  return (
    <section>
      <h1>{kind}</h1>
    </section>
  );
}
