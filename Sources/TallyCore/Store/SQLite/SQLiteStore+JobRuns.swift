import Foundation
import GRDB

extension SQLiteStore {
    func startRun(job: String, startedAt: Date, arguments: String, dryRun: Bool) async throws -> Int64 {
        let sql = """
            INSERT INTO \(prefix)job_runs (job, started_at, arguments, dry_run, status)
            VALUES (?, ?, ?, ?, ?)
            """
        return try await writer.write { db in
            try db.execute(sql: sql, arguments: [job, StoredTime.seconds(startedAt), arguments, dryRun, JobRunStatus.running.rawValue])
            return db.lastInsertedRowID
        }
    }

    func finishRun(id: Int64, outcome: JobRunOutcome) async throws {
        let sql = """
            UPDATE \(prefix)job_runs
            SET status = ?, finished_at = ?, exit_code = ?, items_processed = ?, items_failed = ?, summary = ?
            WHERE id = ?
            """
        try await writer.write { db in
            try db.execute(sql: sql, arguments: [
                outcome.status.rawValue, StoredTime.seconds(outcome.finishedAt), outcome.exitCode,
                outcome.itemsProcessed, outcome.itemsFailed, outcome.summary, id,
            ])
            guard db.changesCount == 1 else { throw StoredRecordMissing(table: "\(self.prefix)job_runs", id: id) }
        }
    }

    func abandonRuns(job: String, at date: Date) async throws -> Int {
        let sql = """
            UPDATE \(prefix)job_runs
            SET status = ?, finished_at = ?, summary = ?
            WHERE job = ? AND status = ?
            """
        return try await writer.write { db in
            try db.execute(sql: sql, arguments: [
                JobRunStatus.abandoned.rawValue, StoredTime.seconds(date), JobRunStatus.abandonedSummary, job,
                JobRunStatus.running.rawValue,
            ])
            return db.changesCount
        }
    }

    func recentRuns(job: String, limit: Int) async throws -> [JobRunRecord] {
        let sql = """
            SELECT id, job, started_at, arguments, dry_run, status, finished_at, exit_code, items_processed, items_failed, summary
            FROM \(prefix)job_runs
            WHERE job = ?
            ORDER BY started_at DESC, id DESC
            LIMIT ?
            """
        return try await writer.read { db in
            try Row.fetchAll(db, sql: sql, arguments: [job, limit]).map { row in
                try JobRunRecord(
                    storedID: row["id"], job: row["job"], startedAt: row["started_at"], arguments: row["arguments"],
                    dryRun: row["dry_run"], status: row["status"], finishedAt: row["finished_at"], exitCode: row["exit_code"],
                    itemsProcessed: row["items_processed"], itemsFailed: row["items_failed"], summary: row["summary"]
                )
            }
        }
    }
}
