extension TallyMigration {
    /// What `tally-alerts` needs beyond V1: a delivery state on the notification ledger (a row is inserted
    /// before sending and marked after, so a failed channel is retried), per-team webhooks, the in-app
    /// notification rows the app's notification centre lists, and when a cap was blocked and is projected
    /// to be reached.
    static let v3Alerts = TallyMigration(
        "v3-alerts",
        sqlite: { p in
            [
                "ALTER TABLE \(p)usage_notifications ADD COLUMN status TEXT NOT NULL DEFAULT 'sent'",
                "ALTER TABLE \(p)usage_notifications ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE \(p)usage_notifications ADD COLUMN last_error TEXT",
                "CREATE INDEX \(p)usage_notifications_period ON \(p)usage_notifications (period_start, status)",
                "ALTER TABLE \(p)usage_caps ADD COLUMN blocked_at INTEGER",
                "ALTER TABLE \(p)usage_caps ADD COLUMN projected_limit_at INTEGER",
                """
                CREATE TABLE \(p)team_webhooks (
                    team_id TEXT PRIMARY KEY,
                    url TEXT NOT NULL,
                    secret TEXT NOT NULL
                )
                """,
                """
                CREATE TABLE \(p)notifications (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    team_id TEXT NOT NULL,
                    period_start INTEGER NOT NULL,
                    threshold REAL NOT NULL,
                    level TEXT NOT NULL,
                    title TEXT NOT NULL,
                    body TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    read_at INTEGER,
                    UNIQUE (team_id, period_start, threshold)
                )
                """,
                "CREATE INDEX \(p)notifications_team ON \(p)notifications (team_id, created_at)",
            ]
        },
        postgres: { p in
            [
                "ALTER TABLE \(p)usage_notifications ADD COLUMN status text NOT NULL DEFAULT 'sent'",
                "ALTER TABLE \(p)usage_notifications ADD COLUMN attempts integer NOT NULL DEFAULT 0",
                "ALTER TABLE \(p)usage_notifications ADD COLUMN last_error text",
                "CREATE INDEX \(p)usage_notifications_period ON \(p)usage_notifications (period_start, status)",
                "ALTER TABLE \(p)usage_caps ADD COLUMN blocked_at bigint",
                "ALTER TABLE \(p)usage_caps ADD COLUMN projected_limit_at bigint",
                """
                CREATE TABLE \(p)team_webhooks (
                    team_id text PRIMARY KEY,
                    url text NOT NULL,
                    secret text NOT NULL
                )
                """,
                """
                CREATE TABLE \(p)notifications (
                    id bigserial PRIMARY KEY,
                    team_id text NOT NULL,
                    period_start bigint NOT NULL,
                    threshold double precision NOT NULL,
                    level text NOT NULL,
                    title text NOT NULL,
                    body text NOT NULL,
                    created_at bigint NOT NULL,
                    read_at bigint,
                    UNIQUE (team_id, period_start, threshold)
                )
                """,
                "CREATE INDEX \(p)notifications_team ON \(p)notifications (team_id, created_at)",
            ]
        }
    )
}
