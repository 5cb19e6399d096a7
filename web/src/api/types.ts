/** The REST API's shapes (`/api/openapi.json`), as far as the UI reads them. */

export type Role = "viewer" | "responder" | "admin";
export type CollectionName =
  | "incidents"
  | "investigations"
  | "alerts"
  | "ipblocklist"
  | "fqdnblocklist"
  | "watchlist"
  | "duplicatechains"
  | "preferences";

export interface Identity {
  email: string;
  role: Role;
}

/** Every record carries these beside its own fields. */
export interface RecordMeta {
  id: string;
  version: number;
  created: string;
  createdBy: string;
  modified: string;
  modifiedBy: string;
}

export interface RecordPage<T> {
  records: T[];
  next: string | null;
  scanned: number;
}

export const PHASES = ["Identification", "Containment", "Eradication", "Recovery", "Lessons Learned", "Closed"] as const;
export type Phase = (typeof PHASES)[number];

export const DATE_FIELDS = [
  "dateOpened",
  "dateReported",
  "dateVerified",
  "dateMitigated",
  "dateContained",
  "dateClosed",
] as const;
export type DateField = (typeof DATE_FIELDS)[number];

export interface Theory {
  summary: string;
  status?: "unverified" | "verified" | "disproven";
  evidence?: string;
}
export interface TimestampEntry {
  timestamp: string;
  description?: string;
}
export interface Mitigation {
  summary: string;
  temporary?: boolean;
  status?: "planned" | "in progress" | "complete" | "abandoned";
}
export interface Note {
  summary: string;
  date?: string;
  by?: string;
}
export interface Indicator {
  type?: string;
  value: string;
  description?: string;
}
export interface Evidence {
  summary: string;
  location?: string;
  date?: string;
}

/** The fields a client writes (IncidentWrite / InvestigationWrite). */
export interface CaseFields {
  summary: string;
  description?: string;
  phase?: Phase;
  dateOpened?: string;
  dateClosed?: string;
  dateReported?: string;
  dateVerified?: string;
  dateMitigated?: string;
  dateContained?: string;
  tags?: string[];
  references?: string[];
  theories?: Theory[];
  timestamps?: TimestampEntry[];
  mitigations?: Mitigation[];
  /** Notes, as the API has them (`{summary, date, by}`). */
  lessons?: Note[];
  notes?: Note[];
  /** Investigations only. */
  indicators?: Indicator[];
  evidence?: Evidence[];
  timeline?: { dateBegin?: string; dateEnd?: string };
}

export type CaseRecord = RecordMeta &
  CaseFields & {
    creator: string;
    /** Links: an investigation made into an incident, an incident made from one. */
    incident?: string;
    investigation?: string;
    alerts?: string[];
  };

/** `GET /api/history/{collection}/{id}`: the record's changes, oldest first. */
export interface History {
  changes: Change[];
}

/** `GET /api/veris`: one row per tag of each tagged incident. */
export interface VerisRow {
  tags: string;
  phase?: Phase;
  dateOpened?: string;
}

export type AlertStatus = "manual" | "inProgress" | "acknowledged" | "escalated";

export interface AlertTriage extends RecordMeta {
  utctimestamp?: string;
  severity?: string;
  category?: string;
  summary?: string;
  tags?: string[];
  esmetadata?: { id?: string; index?: string };
  status?: AlertStatus | null;
  acknowledged?: string | null;
  acknowledgedby?: string | null;
  identityConfidence?: string;
  response?: string;
  escalated?: { collection: "incidents" | "investigations"; id: string };
}

export interface Hit {
  _id: string;
  _index: string;
  _source: Record<string, unknown>;
}

export interface SearchResults {
  hits: Hit[];
  total?: number;
  aggregations?: Record<string, { terms: { key: string; count: number }[] }>;
}

export interface ListEntry extends RecordMeta {
  address?: string;
  fqdn?: string;
  watchcontent?: string;
  dateAdded: string;
  dateExpiring: string | null;
  comment: string;
  creator: string;
  reference: string;
}

export interface Preferences {
  theme: "Classic" | "Dark" | "Light" | "Dark Side Nav";
  pageSize: number;
  timezone: string;
  id: string;
  version: number;
  created?: string;
  modified?: string;
  modifiedBy?: string;
}

export interface Change {
  seq: number;
  collection: CollectionName;
  id: string;
  version: number;
  kind: "created" | "updated" | "deleted";
  by: string;
  at: string;
  record: Record<string, unknown> | null;
}

export interface ChangeFeed {
  changes: Change[];
  cursor: number;
}

export interface Presence {
  user: string;
  activity: "viewing" | "editing";
  expires: string;
}

export interface AlertSchedule {
  name: string;
  enabled: boolean;
  schedule_type: "interval" | "crontab";
  schedule_str: string;
  last_run_at: string | null;
  total_run_count: number;
  modifiedat?: string;
  modifiedby?: string;
}

/** `POST /alerts/run`: 200 when the alerts ran here. */
export interface RunResult {
  raised: number;
  runs: { name: string; alerts: Record<string, unknown>[]; errors: string[] }[];
}
/** `POST /alerts/run`: 202 when the run was handed on. */
export interface RunQueued {
  queued: string[];
}

export interface IngestStats {
  indexed: number;
  dropped: number | null;
  quarantined: number;
  minutes?: number;
}

export interface QueueDepth {
  name: string;
  ready: number;
  in_flight: number;
  delayed: number;
  backlog_bytes: number | null;
}

/** One OpenSearch node's figures (`store-opensearch` nodes.rs). */
export interface NodeFigures {
  id: string;
  name: string;
  hostname: string;
  cpu: number | null;
  load: number | null;
  heap_percent: number | null;
  gc_old_seconds: number | null;
  disk_free_gb: number | null;
  disk_total_gb: number | null;
}

/** `GET /health`. */
export interface Health {
  time: string;
  store: {
    backend: "embedded" | "opensearch";
    status: "green" | "yellow" | "red";
    indices: number;
    documents: number;
    cluster: unknown;
  };
  nodes: Partial<NodeFigures>[];
  events: { indexedPerSecond: number; sinceStart: IngestStats | null };
  queues: QueueDepth[] | { error: string };
  quarantine: { lastDay: number };
  categories: { minutes: number; counts: Record<string, number>[] };
}

export interface ServiceStatus {
  status: string;
  service: string;
}
