// Timestamps are unix seconds (INTEGER / bigint) in both dialects, so one code path reads them; money is
// integer minor units; ids of the app's teams and rows are TEXT, because apps use integers and uuids alike.

extension TallyMigration {
    /// The three tables the integration plan names (1.3, 2.2, 3.1), with the plan's names and columns.
    static let v1PlanTables = TallyMigration(
        "v1-plan-tables",
        sqlite: { _ in
            [
                """
                CREATE TABLE stripe_events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_id TEXT NOT NULL UNIQUE,
                    event_type TEXT NOT NULL,
                    processed INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL,
                    payload TEXT NOT NULL
                )
                """,
                """
                CREATE TABLE stripe_event_queue (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_id TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending',
                    retry_count INTEGER NOT NULL DEFAULT 0,
                    next_retry_at INTEGER,
                    last_error TEXT
                )
                """,
                "CREATE INDEX stripe_event_queue_due ON stripe_event_queue (status, next_retry_at)",
                """
                CREATE TABLE subscription_items (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    subscription_id TEXT NOT NULL,
                    stripe_subscription_item_id TEXT NOT NULL UNIQUE,
                    product_id TEXT,
                    price_id TEXT,
                    quantity INTEGER,
                    is_metered INTEGER NOT NULL DEFAULT 0,
                    current_period_start INTEGER,
                    current_period_end INTEGER,
                    customer_id TEXT
                )
                """,
            ]
        },
        postgres: { _ in
            [
                """
                CREATE TABLE stripe_events (
                    id bigserial PRIMARY KEY,
                    event_id text NOT NULL UNIQUE,
                    event_type text NOT NULL,
                    processed boolean NOT NULL DEFAULT false,
                    created_at bigint NOT NULL,
                    payload text NOT NULL
                )
                """,
                """
                CREATE TABLE stripe_event_queue (
                    id bigserial PRIMARY KEY,
                    event_id text NOT NULL,
                    status text NOT NULL DEFAULT 'pending',
                    retry_count integer NOT NULL DEFAULT 0,
                    next_retry_at bigint,
                    last_error text
                )
                """,
                "CREATE INDEX stripe_event_queue_due ON stripe_event_queue (status, next_retry_at)",
                """
                CREATE TABLE subscription_items (
                    id bigserial PRIMARY KEY,
                    subscription_id text NOT NULL,
                    stripe_subscription_item_id text NOT NULL UNIQUE,
                    product_id text,
                    price_id text,
                    quantity bigint,
                    is_metered boolean NOT NULL DEFAULT false,
                    current_period_start bigint,
                    current_period_end bigint,
                    customer_id text
                )
                """,
            ]
        }
    )

    /// Tally's own, prefixed tables: runs, the API call log, reconciliation, deliveries, alerts.
    static let v1TallyTables = TallyMigration(
        "v1-tally-tables",
        sqlite: { p in
            [
                """
                CREATE TABLE \(p)job_runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    job TEXT NOT NULL,
                    started_at INTEGER NOT NULL,
                    arguments TEXT NOT NULL,
                    dry_run INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    finished_at INTEGER,
                    exit_code INTEGER,
                    items_processed INTEGER,
                    items_failed INTEGER,
                    summary TEXT
                )
                """,
                "CREATE INDEX \(p)job_runs_recent ON \(p)job_runs (job, started_at)",
                """
                CREATE TABLE \(p)api_calls (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id INTEGER REFERENCES \(p)job_runs (id),
                    started_at INTEGER NOT NULL,
                    method TEXT NOT NULL,
                    path TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    latency_ms REAL NOT NULL,
                    request_id TEXT,
                    rate_limited INTEGER NOT NULL,
                    error_code TEXT,
                    attempt INTEGER NOT NULL
                )
                """,
                "CREATE INDEX \(p)api_calls_run ON \(p)api_calls (run_id)",
                "CREATE INDEX \(p)api_calls_started ON \(p)api_calls (started_at)",
                """
                CREATE TABLE \(p)reconciliation_runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    job_run_id INTEGER REFERENCES \(p)job_runs (id),
                    meter_id TEXT NOT NULL,
                    formula TEXT NOT NULL,
                    range_start INTEGER NOT NULL,
                    range_end INTEGER NOT NULL,
                    customers INTEGER NOT NULL DEFAULT 0,
                    local_total INTEGER NOT NULL DEFAULT 0,
                    stripe_total INTEGER NOT NULL DEFAULT 0,
                    discrepancies INTEGER NOT NULL DEFAULT 0,
                    absolute_discrepancy INTEGER NOT NULL DEFAULT 0,
                    bad_rows_missing_team INTEGER NOT NULL DEFAULT 0,
                    bad_rows_negative_tokens INTEGER NOT NULL DEFAULT 0,
                    bad_rows_future_timestamp INTEGER NOT NULL DEFAULT 0,
                    failed_customers INTEGER NOT NULL DEFAULT 0,
                    status TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                )
                """,
                "CREATE INDEX \(p)reconciliation_runs_job_run ON \(p)reconciliation_runs (job_run_id)",
                """
                CREATE TABLE \(p)reconciliation_windows (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    reconciliation_run_id INTEGER NOT NULL REFERENCES \(p)reconciliation_runs (id),
                    customer_id TEXT NOT NULL,
                    team_id TEXT,
                    meter_id TEXT NOT NULL,
                    window_start INTEGER NOT NULL,
                    window_end INTEGER NOT NULL,
                    granularity TEXT NOT NULL,
                    local_value INTEGER NOT NULL,
                    stripe_value INTEGER NOT NULL,
                    status TEXT NOT NULL
                )
                """,
                "CREATE INDEX \(p)reconciliation_windows_run ON \(p)reconciliation_windows (reconciliation_run_id)",
                """
                CREATE TABLE \(p)discrepancies (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    reconciliation_run_id INTEGER NOT NULL REFERENCES \(p)reconciliation_runs (id),
                    customer_id TEXT,
                    team_id TEXT,
                    meter_id TEXT NOT NULL,
                    window_start INTEGER NOT NULL,
                    window_end INTEGER NOT NULL,
                    local_value INTEGER NOT NULL,
                    stripe_value INTEGER NOT NULL,
                    difference INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    repair TEXT NOT NULL,
                    suggested_action TEXT NOT NULL,
                    resolution TEXT,
                    created_at INTEGER NOT NULL
                )
                """,
                "CREATE INDEX \(p)discrepancies_run ON \(p)discrepancies (reconciliation_run_id)",
                """
                CREATE TABLE \(p)discrepancy_rows (
                    discrepancy_id INTEGER NOT NULL REFERENCES \(p)discrepancies (id),
                    usage_row_id TEXT NOT NULL,
                    PRIMARY KEY (discrepancy_id, usage_row_id)
                )
                """,
                """
                CREATE TABLE \(p)meter_event_deliveries (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    usage_row_id TEXT NOT NULL,
                    identifier TEXT NOT NULL UNIQUE,
                    customer_id TEXT NOT NULL,
                    event_name TEXT NOT NULL,
                    value INTEGER NOT NULL,
                    event_timestamp INTEGER NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sent', 'failed', 'needs_human', 'cancelled')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT,
                    stripe_request_id TEXT,
                    idempotency_key TEXT,
                    sent_at INTEGER,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                )
                """,
                "CREATE INDEX \(p)meter_event_deliveries_status ON \(p)meter_event_deliveries (status)",
                "CREATE INDEX \(p)meter_event_deliveries_row ON \(p)meter_event_deliveries (usage_row_id)",
                """
                CREATE TABLE \(p)usage_notifications (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    team_id TEXT NOT NULL,
                    period_start INTEGER NOT NULL,
                    threshold REAL NOT NULL,
                    channel TEXT NOT NULL,
                    used INTEGER NOT NULL,
                    allowance INTEGER NOT NULL,
                    sent_at INTEGER NOT NULL,
                    UNIQUE (team_id, period_start, threshold, channel)
                )
                """,
                """
                CREATE TABLE \(p)usage_caps (
                    team_id TEXT NOT NULL,
                    period_start INTEGER NOT NULL,
                    period_end INTEGER NOT NULL,
                    allowance INTEGER NOT NULL,
                    used INTEGER NOT NULL,
                    blocked INTEGER NOT NULL DEFAULT 0,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (team_id, period_start)
                )
                """,
            ]
        },
        postgres: { p in
            [
                """
                CREATE TABLE \(p)job_runs (
                    id bigserial PRIMARY KEY,
                    job text NOT NULL,
                    started_at bigint NOT NULL,
                    arguments text NOT NULL,
                    dry_run boolean NOT NULL,
                    status text NOT NULL,
                    finished_at bigint,
                    exit_code integer,
                    items_processed bigint,
                    items_failed bigint,
                    summary text
                )
                """,
                "CREATE INDEX \(p)job_runs_recent ON \(p)job_runs (job, started_at)",
                """
                CREATE TABLE \(p)api_calls (
                    id bigserial PRIMARY KEY,
                    run_id bigint REFERENCES \(p)job_runs (id),
                    started_at bigint NOT NULL,
                    method text NOT NULL,
                    path text NOT NULL,
                    status integer NOT NULL,
                    latency_ms double precision NOT NULL,
                    request_id text,
                    rate_limited boolean NOT NULL,
                    error_code text,
                    attempt integer NOT NULL
                )
                """,
                "CREATE INDEX \(p)api_calls_run ON \(p)api_calls (run_id)",
                "CREATE INDEX \(p)api_calls_started ON \(p)api_calls (started_at)",
                """
                CREATE TABLE \(p)reconciliation_runs (
                    id bigserial PRIMARY KEY,
                    job_run_id bigint REFERENCES \(p)job_runs (id),
                    meter_id text NOT NULL,
                    formula text NOT NULL,
                    range_start bigint NOT NULL,
                    range_end bigint NOT NULL,
                    customers bigint NOT NULL DEFAULT 0,
                    local_total bigint NOT NULL DEFAULT 0,
                    stripe_total bigint NOT NULL DEFAULT 0,
                    discrepancies bigint NOT NULL DEFAULT 0,
                    absolute_discrepancy bigint NOT NULL DEFAULT 0,
                    bad_rows_missing_team bigint NOT NULL DEFAULT 0,
                    bad_rows_negative_tokens bigint NOT NULL DEFAULT 0,
                    bad_rows_future_timestamp bigint NOT NULL DEFAULT 0,
                    failed_customers bigint NOT NULL DEFAULT 0,
                    status text NOT NULL,
                    created_at bigint NOT NULL
                )
                """,
                "CREATE INDEX \(p)reconciliation_runs_job_run ON \(p)reconciliation_runs (job_run_id)",
                """
                CREATE TABLE \(p)reconciliation_windows (
                    id bigserial PRIMARY KEY,
                    reconciliation_run_id bigint NOT NULL REFERENCES \(p)reconciliation_runs (id),
                    customer_id text NOT NULL,
                    team_id text,
                    meter_id text NOT NULL,
                    window_start bigint NOT NULL,
                    window_end bigint NOT NULL,
                    granularity text NOT NULL,
                    local_value bigint NOT NULL,
                    stripe_value bigint NOT NULL,
                    status text NOT NULL
                )
                """,
                "CREATE INDEX \(p)reconciliation_windows_run ON \(p)reconciliation_windows (reconciliation_run_id)",
                """
                CREATE TABLE \(p)discrepancies (
                    id bigserial PRIMARY KEY,
                    reconciliation_run_id bigint NOT NULL REFERENCES \(p)reconciliation_runs (id),
                    customer_id text,
                    team_id text,
                    meter_id text NOT NULL,
                    window_start bigint NOT NULL,
                    window_end bigint NOT NULL,
                    local_value bigint NOT NULL,
                    stripe_value bigint NOT NULL,
                    difference bigint NOT NULL,
                    kind text NOT NULL,
                    repair text NOT NULL,
                    suggested_action text NOT NULL,
                    resolution text,
                    created_at bigint NOT NULL
                )
                """,
                "CREATE INDEX \(p)discrepancies_run ON \(p)discrepancies (reconciliation_run_id)",
                """
                CREATE TABLE \(p)discrepancy_rows (
                    discrepancy_id bigint NOT NULL REFERENCES \(p)discrepancies (id),
                    usage_row_id text NOT NULL,
                    PRIMARY KEY (discrepancy_id, usage_row_id)
                )
                """,
                """
                CREATE TABLE \(p)meter_event_deliveries (
                    id bigserial PRIMARY KEY,
                    usage_row_id text NOT NULL,
                    identifier text NOT NULL UNIQUE,
                    customer_id text NOT NULL,
                    event_name text NOT NULL,
                    value bigint NOT NULL,
                    event_timestamp bigint NOT NULL,
                    status text NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sent', 'failed', 'needs_human', 'cancelled')),
                    attempts integer NOT NULL DEFAULT 0,
                    last_error text,
                    stripe_request_id text,
                    idempotency_key text,
                    sent_at bigint,
                    created_at bigint NOT NULL,
                    updated_at bigint NOT NULL
                )
                """,
                "CREATE INDEX \(p)meter_event_deliveries_status ON \(p)meter_event_deliveries (status)",
                "CREATE INDEX \(p)meter_event_deliveries_row ON \(p)meter_event_deliveries (usage_row_id)",
                """
                CREATE TABLE \(p)usage_notifications (
                    id bigserial PRIMARY KEY,
                    team_id text NOT NULL,
                    period_start bigint NOT NULL,
                    threshold double precision NOT NULL,
                    channel text NOT NULL,
                    used bigint NOT NULL,
                    allowance bigint NOT NULL,
                    sent_at bigint NOT NULL,
                    UNIQUE (team_id, period_start, threshold, channel)
                )
                """,
                """
                CREATE TABLE \(p)usage_caps (
                    team_id text NOT NULL,
                    period_start bigint NOT NULL,
                    period_end bigint NOT NULL,
                    allowance bigint NOT NULL,
                    used bigint NOT NULL,
                    blocked boolean NOT NULL DEFAULT false,
                    updated_at bigint NOT NULL,
                    PRIMARY KEY (team_id, period_start)
                )
                """,
            ]
        }
    )
}
