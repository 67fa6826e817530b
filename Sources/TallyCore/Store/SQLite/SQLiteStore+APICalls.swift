import Foundation
import GRDB

extension SQLiteStore {
    func record(_ calls: [APICallRecord]) async throws {
        guard !calls.isEmpty else { return }
        let sql = """
            INSERT INTO \(prefix)api_calls
                (run_id, started_at, method, path, status, latency_ms, request_id, rate_limited, error_code, attempt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        // One transaction and one prepared statement for the whole batch.
        try await writer.write { db in
            let statement = try db.cachedStatement(sql: sql)
            for call in calls {
                try statement.execute(arguments: [
                    call.runID, StoredTime.seconds(call.startedAt), call.method, call.path, call.status,
                    call.latencyMilliseconds, call.requestID, call.rateLimited, call.errorCode, call.attempt,
                ])
            }
        }
    }

    func apiCalls(runID: Int64?) async throws -> [APICallRecord] {
        let sql = """
            SELECT run_id, started_at, method, path, status, latency_ms, request_id, rate_limited, error_code, attempt
            FROM \(prefix)api_calls
            WHERE ? IS NULL OR run_id = ?
            ORDER BY started_at, id
            """
        return try await writer.read { db in
            try Row.fetchAll(db, sql: sql, arguments: [runID, runID]).map { row in
                APICallRecord(
                    startedAt: StoredTime.date(row["started_at"]), method: row["method"], path: row["path"],
                    status: row["status"], latencyMilliseconds: row["latency_ms"], requestID: row["request_id"],
                    rateLimited: row["rate_limited"], errorCode: row["error_code"], attempt: row["attempt"],
                    runID: row["run_id"]
                )
            }
        }
    }
}
