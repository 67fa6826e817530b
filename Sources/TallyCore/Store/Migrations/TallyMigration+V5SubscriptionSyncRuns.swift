extension TallyMigration {
    /// What the subscription listing of `tally-events` needs: one row per complete listing of every Stripe
    /// subscription (when it started, why, how many subscriptions and items it wrote), so a first run, a weekly
    /// re-list and `tally-alerts`' "never synced" check read one table; and the customer of each synced
    /// subscription, so a team whose customer has only ended subscriptions is known, not listed again.
    static let v5SubscriptionSyncRuns = TallyMigration(
        "v5-subscription-sync-runs",
        sqlite: { p in
            [
                """
                CREATE TABLE \(p)subscription_sync_runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    listed_at INTEGER NOT NULL,
                    finished_at INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    subscriptions INTEGER NOT NULL,
                    items INTEGER NOT NULL
                )
                """,
                "CREATE INDEX \(p)subscription_sync_runs_listed ON \(p)subscription_sync_runs (listed_at)",
                "ALTER TABLE \(p)subscription_syncs ADD COLUMN customer_id TEXT",
            ]
        },
        postgres: { p in
            [
                """
                CREATE TABLE \(p)subscription_sync_runs (
                    id bigserial PRIMARY KEY,
                    listed_at bigint NOT NULL,
                    finished_at bigint NOT NULL,
                    reason text NOT NULL,
                    subscriptions integer NOT NULL,
                    items integer NOT NULL
                )
                """,
                "CREATE INDEX \(p)subscription_sync_runs_listed ON \(p)subscription_sync_runs (listed_at)",
                "ALTER TABLE \(p)subscription_syncs ADD COLUMN customer_id text",
            ]
        }
    )
}
