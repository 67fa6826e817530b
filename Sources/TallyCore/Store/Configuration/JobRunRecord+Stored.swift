import Foundation

extension JobRunRecord {
    /// Builds a record from a `job_runs` row as either backend returns it.
    init(
        storedID id: Int64, job: String, startedAt: Int64, arguments: String, dryRun: Bool, status: String,
        finishedAt: Int64?, exitCode: Int32?, itemsProcessed: Int64?, itemsFailed: Int64?, summary: String?
    ) throws {
        guard let runStatus = JobRunStatus(rawValue: status) else {
            throw StoredRecordInvalid(table: "job_runs", id: id, problem: "unknown status `\(status)`")
        }
        var outcome: JobRunOutcome?
        if let finishedAt {
            outcome = JobRunOutcome(
                finishedAt: StoredTime.date(finishedAt), status: runStatus, exitCode: exitCode ?? 0,
                itemsProcessed: Int(itemsProcessed ?? 0), itemsFailed: Int(itemsFailed ?? 0), summary: summary ?? ""
            )
        }
        self.init(
            id: id, job: job, startedAt: StoredTime.date(startedAt), arguments: arguments, dryRun: dryRun,
            outcome: outcome, status: runStatus
        )
    }
}
