import Foundation
import GRDB

extension SQLiteStore {
    func teams() async throws -> [TeamRecord] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT CAST(id AS TEXT) AS id, name, stripe_customer_id FROM teams ORDER BY id")
                .map { row in
                    TeamRecord(id: row["id"], name: row["name"] ?? "", stripeCustomerID: row["stripe_customer_id"])
                }
        }
    }

    func latestDiscrepancies() async throws -> [DiscrepancyRecord] {
        let sql = """
            SELECT r.created_at, COALESCE(d.customer_id, '') AS customer_id, d.team_id, d.meter_id, d.window_start, d.window_end,
                   d.local_value AS local_tokens, d.stripe_value AS stripe_tokens, d.difference, d.kind, d.resolution
            FROM \(prefix)discrepancies d
            JOIN \(prefix)reconciliation_runs r ON r.id = d.reconciliation_run_id
            -- every meter of the newest reconcile job run (a run without a job run stands alone)
            WHERE d.reconciliation_run_id = (SELECT MAX(id) FROM \(prefix)reconciliation_runs)
               OR r.job_run_id = (SELECT job_run_id FROM \(prefix)reconciliation_runs
                                  WHERE id = (SELECT MAX(id) FROM \(prefix)reconciliation_runs))
            ORDER BY d.customer_id, d.window_start, d.id
            """
        return try await writer.read { db in
            try Row.fetchAll(db, sql: sql).map { row in
                DiscrepancyRecord(
                    reconciledAt: StoredTime.date(row["created_at"]), customerID: row["customer_id"],
                    teamID: row["team_id"], meterID: row["meter_id"], windowStart: StoredTime.date(row["window_start"]),
                    windowEnd: StoredTime.date(row["window_end"]), localTokens: row["local_tokens"],
                    stripeTokens: row["stripe_tokens"], difference: row["difference"], kind: row["kind"],
                    resolution: row["resolution"])
            }
        }
    }

    func apiCalls(from start: Date, to end: Date) async throws -> [APICallRecord] {
        let sql = """
            SELECT run_id, started_at, method, path, status, latency_ms, request_id, rate_limited, error_code, attempt
            FROM \(prefix)api_calls
            WHERE started_at >= ? AND started_at < ?
            ORDER BY started_at, id
            """
        let arguments: StatementArguments = [StoredTime.seconds(start), StoredTime.seconds(end)]
        return try await writer.read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                APICallRecord(
                    startedAt: StoredTime.date(row["started_at"]), method: row["method"], path: row["path"],
                    status: row["status"], latencyMilliseconds: row["latency_ms"], requestID: row["request_id"],
                    rateLimited: row["rate_limited"], errorCode: row["error_code"], attempt: row["attempt"],
                    runID: row["run_id"])
            }
        }
    }
}
