import Foundation
import PostgresNIO

extension PostgresStore {
    /// Rows per multi-row INSERT: 10 parameters each, well under PostgreSQL's 65535 parameters.
    static let apiCallBatchSize = 1_000

    func record(_ calls: [APICallRecord]) async throws {
        guard !calls.isEmpty else { return }
        let prefix = self.prefix
        try await client.withTransaction(logger: logger) { connection in
            for start in stride(from: 0, to: calls.count, by: Self.apiCallBatchSize) {
                let batch = calls[start..<min(start + Self.apiCallBatchSize, calls.count)]
                var binds = PostgresBindings(capacity: batch.count * 10)
                var tuples: [String] = []
                for call in batch {
                    let n = binds.count
                    tuples.append("(" + (1...10).map { "$\(n + $0)" }.joined(separator: ", ") + ")")
                    binds.append(call.runID)
                    binds.append(StoredTime.seconds(call.startedAt))
                    binds.append(call.method)
                    binds.append(call.path)
                    binds.append(Int32(clamping: call.status))
                    binds.append(call.latencyMilliseconds)
                    binds.append(call.requestID)
                    binds.append(call.rateLimited)
                    binds.append(call.errorCode)
                    binds.append(Int32(clamping: call.attempt))
                }
                try await connection.query(
                    PostgresQuery(unsafeSQL: """
                        INSERT INTO \(prefix)api_calls
                            (run_id, started_at, method, path, status, latency_ms, request_id, rate_limited, error_code, attempt)
                        VALUES \(tuples.joined(separator: ",\n       "))
                        """, binds: binds),
                    logger: logger
                )
            }
        }
    }

    func apiCalls(runID: Int64?) async throws -> [APICallRecord] {
        var binds = PostgresBindings()
        binds.append(runID)
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: """
                SELECT run_id, started_at, method, path, status, latency_ms, request_id, rate_limited, error_code, attempt
                FROM \(prefix)api_calls
                WHERE $1::bigint IS NULL OR run_id = $1
                ORDER BY started_at, id
                """, binds: binds),
            logger: logger
        )
        var calls: [APICallRecord] = []
        for try await (run, startedAt, method, path, status, latency, requestID, rateLimited, errorCode, attempt)
            in rows.decode((Int64?, Int64, String, String, Int32, Double, String?, Bool, String?, Int32).self) {
            calls.append(APICallRecord(
                startedAt: StoredTime.date(startedAt), method: method, path: path, status: Int(status),
                latencyMilliseconds: latency, requestID: requestID, rateLimited: rateLimited, errorCode: errorCode,
                attempt: Int(attempt), runID: run
            ))
        }
        return calls
    }
}
