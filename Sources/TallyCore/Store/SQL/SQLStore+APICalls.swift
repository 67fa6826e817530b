import Foundation

extension SQLStore: APICallRecorder {
    static let apiCallColumns = ["run_id", "started_at", "method", "path", "status", "latency_ms", "request_id",
                                 "rate_limited", "error_code", "attempt"]

    /// One transaction, a multi-row INSERT per batch.
    func record(_ calls: [APICallRecord]) async throws {
        guard !calls.isEmpty else { return }
        let table = "\(prefix)api_calls"
        try await sql.transaction { sql in
            for batch in SQLStatement.batches(calls, columns: Self.apiCallColumns.count) {
                try await sql.execute(.insert(into: table, columns: Self.apiCallColumns, rows: batch.map { call in
                    [call.runID, call.startedAt, call.method, call.path, Int32(clamping: call.status), call.latencyMilliseconds,
                     call.requestID, call.rateLimited, call.errorCode, Int32(clamping: call.attempt)]
                }))
            }
        }
    }

    func apiCalls(runID: Int64?) async throws -> [APICallRecord] {
        try await sql.query("""
            SELECT \(raw: Self.apiCallColumns.joined(separator: ", "))
            FROM \(raw: prefix)api_calls
            WHERE CAST(\(runID) AS BIGINT) IS NULL OR run_id = \(runID)
            ORDER BY started_at, id
            """).map(Self.apiCall)
    }

    func apiCalls(from start: Date, to end: Date) async throws -> [APICallRecord] {
        try await sql.query("""
            SELECT \(raw: Self.apiCallColumns.joined(separator: ", "))
            FROM \(raw: prefix)api_calls
            WHERE started_at >= \(start) AND started_at < \(end)
            ORDER BY started_at, id
            """).map(Self.apiCall)
    }

    static func apiCall(_ row: SQLRow) throws -> APICallRecord {
        APICallRecord(
            startedAt: try row["started_at"], method: try row["method"], path: try row["path"], status: try row["status"],
            latencyMilliseconds: try row["latency_ms"], requestID: try row["request_id"], rateLimited: try row["rate_limited"],
            errorCode: try row["error_code"], attempt: try row["attempt"], runID: try row["run_id"])
    }
}
