import Foundation

/// Where the job-run history lives.
public protocol JobRunStore: Sendable {
    /// Records that `job` started, and returns the new run's id.
    func startRun(job: String, startedAt: Date, arguments: String, dryRun: Bool) async throws -> Int64
    /// Completes the run record.
    func finishRun(id: Int64, outcome: JobRunOutcome) async throws
    /// The most recent runs of `job`, newest first.
    func recentRuns(job: String, limit: Int) async throws -> [JobRunRecord]
    /// Marks `job`'s runs still `running` as `abandoned` (the caller holds the job's lock, so none of them
    /// is alive: the process was killed or crashed), and returns how many.
    func abandonRuns(job: String, at: Date) async throws -> Int
}

/// How a run ended, as stored in `tally_job_runs`.
public struct JobRunOutcome: Sendable, Equatable {
    public var finishedAt: Date
    /// `succeeded`, `needs_human`, `failed` or `interrupted`.
    public var status: JobRunStatus
    public var exitCode: Int32
    public var itemsProcessed: Int
    public var itemsFailed: Int
    /// One line a person reads: what the run did or why it stopped. Never holds a secret.
    public var summary: String

    public init(finishedAt: Date, status: JobRunStatus, exitCode: Int32, itemsProcessed: Int, itemsFailed: Int, summary: String) {
        self.finishedAt = finishedAt
        self.status = status
        self.exitCode = exitCode
        self.itemsProcessed = itemsProcessed
        self.itemsFailed = itemsFailed
        self.summary = summary
    }
}

/// The states a stored run can be in.
public enum JobRunStatus: String, Sendable, Codable {
    case running
    case succeeded
    case needsHuman = "needs_human"
    case failed
    case interrupted
    /// Killed or crashed before it could record its end; found so by the next run of the job.
    case abandoned
}

extension JobRunStatus {
    /// The summary stored on an abandoned run.
    static let abandonedSummary = "killed or crashed before it recorded its end; found by the next run"
}

/// One row of `tally_job_runs`.
public struct JobRunRecord: Sendable, Equatable {
    public var id: Int64
    public var job: String
    public var startedAt: Date
    public var arguments: String
    public var dryRun: Bool
    public var outcome: JobRunOutcome?
    public var status: JobRunStatus

    public init(id: Int64, job: String, startedAt: Date, arguments: String, dryRun: Bool, outcome: JobRunOutcome?, status: JobRunStatus) {
        self.id = id
        self.job = job
        self.startedAt = startedAt
        self.arguments = arguments
        self.dryRun = dryRun
        self.outcome = outcome
        self.status = status
    }
}

/// Grants the one-run-at-a-time lock for a job.
///
/// SQLite: an exclusive `flock` on a file beside the database, released by the kernel if the process
/// dies. PostgreSQL: a session advisory lock, so two cron hosts never run the same job.
public protocol JobLockProvider: Sendable {
    /// Takes the lock for `job` without waiting; `nil` when another run holds it.
    func tryLock(job: String) async throws -> (any JobLock)?
}

/// A held job lock.
public protocol JobLock: Sendable {
    /// Releases the lock. Safe to call more than once.
    func release() async
}
