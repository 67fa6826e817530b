import Foundation

extension SQLStore: ReportingSource {
    func teams() async throws -> [TeamRecord] {
        try await sql.query("""
            SELECT CAST(id AS TEXT) AS id, CAST(name AS TEXT) AS name, CAST(stripe_customer_id AS TEXT) AS stripe_customer_id
            FROM teams ORDER BY id
            """).map { row in
            TeamRecord(id: try row["id"], name: try row["name"] ?? "", stripeCustomerID: try row["stripe_customer_id"])
        }
    }

    func latestDiscrepancies() async throws -> [DiscrepancyRecord] {
        try await sql.query("""
            SELECT r.created_at, COALESCE(d.customer_id, '') AS customer_id, d.team_id, d.meter_id, d.window_start, d.window_end,
                   d.local_value AS local_tokens, d.stripe_value AS stripe_tokens, d.difference, d.kind, d.resolution
            FROM \(raw: prefix)discrepancies d
            JOIN \(raw: prefix)reconciliation_runs r ON r.id = d.reconciliation_run_id
            -- every meter of the newest reconcile job run (a run without a job run stands alone)
            WHERE d.reconciliation_run_id = (SELECT MAX(id) FROM \(raw: prefix)reconciliation_runs)
               OR r.job_run_id = (SELECT job_run_id FROM \(raw: prefix)reconciliation_runs
                                  WHERE id = (SELECT MAX(id) FROM \(raw: prefix)reconciliation_runs))
            ORDER BY d.customer_id, d.window_start, d.id
            """).map { row in
            DiscrepancyRecord(
                reconciledAt: try row["created_at"], customerID: try row["customer_id"], teamID: try row["team_id"],
                meterID: try row["meter_id"], windowStart: try row["window_start"], windowEnd: try row["window_end"],
                localTokens: try row["local_tokens"], stripeTokens: try row["stripe_tokens"], difference: try row["difference"],
                kind: try row["kind"], resolution: try row["resolution"])
        }
    }
}
