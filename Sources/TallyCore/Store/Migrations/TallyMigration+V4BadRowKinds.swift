extension TallyMigration {
    /// The bad-row kinds added with the money-path checks: tokens that are not whole numbers or have more than
    /// 15 digits (Stripe rejects them), times that cannot be read, and customer-days whose total does not
    /// fit in 64 bits, and ids the usage query returns more than once. Each is counted on the run like the
    /// V1 kinds.
    static let v4BadRowKinds = TallyMigration(
        "v4-bad-row-kinds",
        sqlite: { p in
            [
                "ALTER TABLE \(p)reconciliation_runs ADD COLUMN bad_rows_not_whole INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE \(p)reconciliation_runs ADD COLUMN bad_rows_too_large INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE \(p)reconciliation_runs ADD COLUMN bad_rows_unreadable_time INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE \(p)reconciliation_runs ADD COLUMN bad_rows_total_overflow INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE \(p)reconciliation_runs ADD COLUMN bad_rows_duplicate_id INTEGER NOT NULL DEFAULT 0",
            ]
        },
        postgres: { p in
            [
                "ALTER TABLE \(p)reconciliation_runs ADD COLUMN bad_rows_not_whole bigint NOT NULL DEFAULT 0",
                "ALTER TABLE \(p)reconciliation_runs ADD COLUMN bad_rows_too_large bigint NOT NULL DEFAULT 0",
                "ALTER TABLE \(p)reconciliation_runs ADD COLUMN bad_rows_unreadable_time bigint NOT NULL DEFAULT 0",
                "ALTER TABLE \(p)reconciliation_runs ADD COLUMN bad_rows_total_overflow bigint NOT NULL DEFAULT 0",
                "ALTER TABLE \(p)reconciliation_runs ADD COLUMN bad_rows_duplicate_id bigint NOT NULL DEFAULT 0",
            ]
        }
    )
}
