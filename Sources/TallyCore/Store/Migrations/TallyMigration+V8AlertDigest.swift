extension TallyMigration {
    /// `alert_digest`: what the reconciliation alert last announced, one row per problem, so the next
    /// alert sends only what changed (issue 14).
    static let v8AlertDigest = TallyMigration(
        "v8-alert-digest",
        sqlite: { p in
            [
                """
                CREATE TABLE \(p)alert_digest (
                    problem_key TEXT PRIMARY KEY,
                    line TEXT NOT NULL,
                    total INTEGER NOT NULL,
                    window_end INTEGER NOT NULL,
                    first_seen INTEGER NOT NULL,
                    announced_at INTEGER NOT NULL
                )
                """,
            ]
        },
        postgres: { p in
            [
                """
                CREATE TABLE \(p)alert_digest (
                    problem_key text PRIMARY KEY,
                    line text NOT NULL,
                    total bigint NOT NULL,
                    window_end bigint NOT NULL,
                    first_seen bigint NOT NULL,
                    announced_at bigint NOT NULL
                )
                """,
            ]
        }
    )
}
