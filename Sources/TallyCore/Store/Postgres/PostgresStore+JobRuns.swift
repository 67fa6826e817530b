import Foundation
import PostgresNIO

extension PostgresStore {
    func startRun(job: String, startedAt: Date, arguments: String, dryRun: Bool) async throws -> Int64 {
        var binds = PostgresBindings()
        binds.append(job)
        binds.append(StoredTime.seconds(startedAt))
        binds.append(arguments)
        binds.append(dryRun)
        binds.append(JobRunStatus.running.rawValue)
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(prefix)job_runs (job, started_at, arguments, dry_run, status)
                VALUES ($1, $2, $3, $4, $5)
                RETURNING id
                """, binds: binds),
            logger: logger
        )
        for try await id in rows.decode(Int64.self) { return id }
        throw StoredRecordMissing(table: "\(prefix)job_runs", id: 0)
    }

    func finishRun(id: Int64, outcome: JobRunOutcome) async throws {
        var binds = PostgresBindings()
        binds.append(outcome.status.rawValue)
        binds.append(StoredTime.seconds(outcome.finishedAt))
        binds.append(outcome.exitCode)
        binds.append(Int64(outcome.itemsProcessed))
        binds.append(Int64(outcome.itemsFailed))
        binds.append(outcome.summary)
        binds.append(id)
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: """
                UPDATE \(prefix)job_runs
                SET status = $1, finished_at = $2, exit_code = $3, items_processed = $4, items_failed = $5, summary = $6
                WHERE id = $7
                RETURNING id
                """, binds: binds),
            logger: logger
        )
        var updated = false
        for try await _ in rows.decode(Int64.self) { updated = true }
        guard updated else { throw StoredRecordMissing(table: "\(prefix)job_runs", id: id) }
    }

    func abandonRuns(job: String, at date: Date) async throws -> Int {
        var binds = PostgresBindings()
        binds.append(JobRunStatus.abandoned.rawValue)
        binds.append(StoredTime.seconds(date))
        binds.append(JobRunStatus.abandonedSummary)
        binds.append(job)
        binds.append(JobRunStatus.running.rawValue)
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: """
                UPDATE \(prefix)job_runs
                SET status = $1, finished_at = $2, summary = $3
                WHERE job = $4 AND status = $5
                RETURNING id
                """, binds: binds),
            logger: logger
        )
        var count = 0
        for try await _ in rows.decode(Int64.self) { count += 1 }
        return count
    }

    func recentRuns(job: String, limit: Int) async throws -> [JobRunRecord] {
        var binds = PostgresBindings()
        binds.append(job)
        binds.append(Int64(limit))
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: """
                SELECT id, job, started_at, arguments, dry_run, status, finished_at, exit_code, items_processed, items_failed, summary
                FROM \(prefix)job_runs
                WHERE job = $1
                ORDER BY started_at DESC, id DESC
                LIMIT $2
                """, binds: binds),
            logger: logger
        )
        var runs: [JobRunRecord] = []
        for try await (id, job, startedAt, arguments, dryRun, status, finishedAt, exitCode, processed, failed, summary)
            in rows.decode((Int64, String, Int64, String, Bool, String, Int64?, Int32?, Int64?, Int64?, String?).self) {
            runs.append(try JobRunRecord(
                storedID: id, job: job, startedAt: startedAt, arguments: arguments, dryRun: dryRun, status: status,
                finishedAt: finishedAt, exitCode: exitCode, itemsProcessed: processed, itemsFailed: failed, summary: summary
            ))
        }
        return runs
    }
}
