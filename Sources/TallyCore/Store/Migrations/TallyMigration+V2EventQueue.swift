extension TallyMigration {
    /// What `tally-events` needs beyond the plan's tables: one queue entry per event (so a re-run or a
    /// concurrent catch-up never queues an event twice), a lookup of a subscription's items, and the newest
    /// event that synced each subscription (so an older event processed late never overwrites newer data).
    static let v2EventQueue = TallyMigration(
        "v2-event-queue",
        sqlite: { p in
            [
                "CREATE UNIQUE INDEX stripe_event_queue_event_id ON stripe_event_queue (event_id)",
                "CREATE INDEX subscription_items_subscription ON subscription_items (subscription_id)",
                "CREATE INDEX stripe_events_created ON stripe_events (created_at)",
                """
                CREATE TABLE \(p)subscription_syncs (
                    subscription_id TEXT PRIMARY KEY,
                    event_id TEXT NOT NULL,
                    event_created INTEGER NOT NULL,
                    ended INTEGER NOT NULL DEFAULT 0
                )
                """,
            ]
        },
        postgres: { p in
            [
                "CREATE UNIQUE INDEX stripe_event_queue_event_id ON stripe_event_queue (event_id)",
                "CREATE INDEX subscription_items_subscription ON subscription_items (subscription_id)",
                "CREATE INDEX stripe_events_created ON stripe_events (created_at)",
                """
                CREATE TABLE \(p)subscription_syncs (
                    subscription_id text PRIMARY KEY,
                    event_id text NOT NULL,
                    event_created bigint NOT NULL,
                    ended boolean NOT NULL DEFAULT false
                )
                """,
            ]
        }
    )
}
