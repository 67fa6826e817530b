import Foundation
import PostgresNIO

extension PostgresStore {
    func teams() async throws -> [TeamRecord] {
        let rows = try await client.query(
            "SELECT id::text, name::text, stripe_customer_id::text FROM teams ORDER BY id", logger: logger)
        var teams: [TeamRecord] = []
        for try await (id, name, customer) in rows.decode((String, String?, String?).self) {
            teams.append(TeamRecord(id: id, name: name ?? "", stripeCustomerID: customer))
        }
        return teams
    }

    func latestDiscrepancies() async throws -> [DiscrepancyRecord] {
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: """
                SELECT r.created_at, COALESCE(d.customer_id, '') AS customer_id, d.team_id, d.meter_id, d.window_start, d.window_end,
                       d.local_value AS local_tokens, d.stripe_value AS stripe_tokens, d.difference, d.kind, d.resolution
                FROM \(prefix)discrepancies d
                JOIN \(prefix)reconciliation_runs r ON r.id = d.reconciliation_run_id
                -- every meter of the newest reconcile job run (a run without a job run stands alone)
                WHERE d.reconciliation_run_id = (SELECT MAX(id) FROM \(prefix)reconciliation_runs)
                   OR r.job_run_id = (SELECT job_run_id FROM \(prefix)reconciliation_runs
                                      WHERE id = (SELECT MAX(id) FROM \(prefix)reconciliation_runs))
                ORDER BY d.customer_id, d.window_start, d.id
                """),
            logger: logger)
        var records: [DiscrepancyRecord] = []
        for try await (createdAt, customer, team, meter, windowStart, windowEnd, local, stripe, difference, kind, resolution)
            in rows.decode((Int64, String, String?, String, Int64, Int64, Int64, Int64, Int64, String, String?).self) {
            records.append(DiscrepancyRecord(
                reconciledAt: StoredTime.date(createdAt), customerID: customer, teamID: team, meterID: meter,
                windowStart: StoredTime.date(windowStart), windowEnd: StoredTime.date(windowEnd), localTokens: local,
                stripeTokens: stripe, difference: difference, kind: kind, resolution: resolution))
        }
        return records
    }

    func apiCalls(from start: Date, to end: Date) async throws -> [APICallRecord] {
        var binds = PostgresBindings()
        binds.append(StoredTime.seconds(start))
        binds.append(StoredTime.seconds(end))
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: """
                SELECT run_id, started_at, method, path, status, latency_ms, request_id, rate_limited, error_code, attempt
                FROM \(prefix)api_calls
                WHERE started_at >= $1 AND started_at < $2
                ORDER BY started_at, id
                """, binds: binds),
            logger: logger)
        var calls: [APICallRecord] = []
        for try await (run, startedAt, method, path, status, latency, requestID, rateLimited, errorCode, attempt)
            in rows.decode((Int64?, Int64, String, String, Int32, Double, String?, Bool, String?, Int32).self) {
            calls.append(APICallRecord(
                startedAt: StoredTime.date(startedAt), method: method, path: path, status: Int(status),
                latencyMilliseconds: latency, requestID: requestID, rateLimited: rateLimited, errorCode: errorCode,
                attempt: Int(attempt), runID: run))
        }
        return calls
    }
}
