extension TallyMigration {
    /// The `unconfirmed` delivery status: a send whose outcome Tally could not learn (a 5xx, a dropped
    /// connection, a timeout, a 200 it could not read) is neither sent nor pending until Stripe's summaries
    /// settle it. V1 listed the statuses in a CHECK constraint, so the constraint is replaced: SQLite cannot
    /// alter one and rebuilds the table with its rows, ids and indexes; PostgreSQL drops and adds it.
    static let v6UnconfirmedDeliveries = TallyMigration(
        "v6-unconfirmed-deliveries",
        sqlite: { p in
            let columns = "id, usage_row_id, identifier, customer_id, event_name, value, event_timestamp, status, attempts, "
                + "last_error, stripe_request_id, idempotency_key, sent_at, created_at, updated_at"
            return [
                """
                CREATE TABLE \(p)meter_event_deliveries_v6 (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    usage_row_id TEXT NOT NULL,
                    identifier TEXT NOT NULL UNIQUE,
                    customer_id TEXT NOT NULL,
                    event_name TEXT NOT NULL,
                    value INTEGER NOT NULL,
                    event_timestamp INTEGER NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'unconfirmed', 'sent', 'failed', 'needs_human', 'cancelled')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT,
                    stripe_request_id TEXT,
                    idempotency_key TEXT,
                    sent_at INTEGER,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                )
                """,
                "INSERT INTO \(p)meter_event_deliveries_v6 (\(columns)) SELECT \(columns) FROM \(p)meter_event_deliveries",
                "DROP TABLE \(p)meter_event_deliveries",
                "ALTER TABLE \(p)meter_event_deliveries_v6 RENAME TO \(p)meter_event_deliveries",
                "CREATE INDEX \(p)meter_event_deliveries_status ON \(p)meter_event_deliveries (status)",
                "CREATE INDEX \(p)meter_event_deliveries_row ON \(p)meter_event_deliveries (usage_row_id)",
            ]
        },
        postgres: { p in
            [
                // V1's constraint has PostgreSQL's generated name; it is found by what it checks, not guessed.
                """
                DO $$
                DECLARE name text;
                BEGIN
                    FOR name IN
                        SELECT conname FROM pg_constraint
                        WHERE conrelid = '\(p)meter_event_deliveries'::regclass AND contype = 'c'
                          AND pg_get_constraintdef(oid) LIKE '%needs_human%'
                    LOOP
                        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', '\(p)meter_event_deliveries', name);
                    END LOOP;
                END $$
                """,
                """
                ALTER TABLE \(p)meter_event_deliveries ADD CONSTRAINT \(p)meter_event_deliveries_status_known
                    CHECK (status IN ('pending', 'unconfirmed', 'sent', 'failed', 'needs_human', 'cancelled'))
                """,
            ]
        }
    )
}
