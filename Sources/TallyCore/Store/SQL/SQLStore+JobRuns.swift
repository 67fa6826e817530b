import Foundation

extension SQLStore: JobRunStore {
    func startRun(job: String, startedAt: Date, arguments: String, dryRun: Bool) async throws -> Int64 {
        let rows = try await sql.query("""
            INSERT INTO \(raw: prefix)job_runs (job, started_at, arguments, dry_run, status)
            VALUES (\(job), \(startedAt), \(arguments), \(dryRun), \(JobRunStatus.running.rawValue))
            RETURNING id
            """)
        guard let row = rows.first else { throw StoredRecordMissing(table: "\(prefix)job_runs", id: 0) }
        return try row["id"]
    }

    func finishRun(id: Int64, outcome: JobRunOutcome) async throws {
        let updated = try await sql.query("""
            UPDATE \(raw: prefix)job_runs
            SET status = \(outcome.status.rawValue), finished_at = \(outcome.finishedAt), exit_code = \(outcome.exitCode),
                items_processed = \(outcome.itemsProcessed), items_failed = \(outcome.itemsFailed), summary = \(outcome.summary)
            WHERE id = \(id)
            RETURNING id
            """)
        guard updated.count == 1 else { throw StoredRecordMissing(table: "\(prefix)job_runs", id: id) }
    }

    func abandonRuns(job: String, at date: Date) async throws -> Int {
        try await sql.query("""
            UPDATE \(raw: prefix)job_runs
            SET status = \(JobRunStatus.abandoned.rawValue), finished_at = \(date), summary = \(JobRunStatus.abandonedSummary)
            WHERE job = \(job) AND status = \(JobRunStatus.running.rawValue)
            RETURNING id
            """).count
    }

    func recentRuns(job: String, limit: Int) async throws -> [JobRunRecord] {
        try await sql.query("""
            SELECT id, job, started_at, arguments, dry_run, status, finished_at, exit_code, items_processed, items_failed, summary
            FROM \(raw: prefix)job_runs
            WHERE job = \(job)
            ORDER BY started_at DESC, id DESC
            LIMIT \(limit)
            """).map { row in
            try JobRunRecord(
                storedID: row["id"], job: row["job"], startedAt: row["started_at"], arguments: row["arguments"],
                dryRun: row["dry_run"], status: row["status"], finishedAt: row["finished_at"], exitCode: row["exit_code"],
                itemsProcessed: row["items_processed"], itemsFailed: row["items_failed"], summary: row["summary"])
        }
    }
}
