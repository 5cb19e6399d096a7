import { useTimeZone } from "../services";
import { formatTime, utcTitle } from "../lib/time";

/** A time in the user's zone, UTC on hover. */
export function Time({ value }: { value: string | null | undefined }) {
  const zone = useTimeZone();
  if (!value) return <span className="muted">—</span>;
  return (
    <time dateTime={value} title={utcTitle(value)}>
      {formatTime(value, zone)}
    </time>
  );
}
