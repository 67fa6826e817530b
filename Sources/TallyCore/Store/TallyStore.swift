import Foundation

/// Everything the jobs keep or read in a database, behind one interface so SQLite and PostgreSQL are
/// interchangeable: a use-case never knows which backend it talks to.
///
/// Each backend runs Tally's migrations when it opens, and reads the app's usage through the configured
/// usage query (`UsageQuery`), never by naming the app's columns itself.
///
/// Open one with `openStore(_:logger:)`. Times are stored as whole unix seconds (UTC), so sub-second parts
/// of the dates handed in are dropped.
public protocol TallyStore: JobRunStore, JobLockProvider, APICallRecorder, UsageSource, StripeEventStore,
    SubscriptionListingStore, ReconciliationStore, ReportingSource, MeterEventDeliveryStore, UsageAlertStore {
    /// Which backend this is, for logs and the run record.
    var backend: StoreBackend { get }
    /// Closes connections; the store is unusable afterwards.
    func close() async throws
    /// The API calls recorded for `runID` (every call when `nil`), oldest first.
    func apiCalls(runID: Int64?) async throws -> [APICallRecord]
    /// The names of the tables in the database, to check what the migrations created.
    func tableNames() async throws -> Set<String>
    /// The identifiers of the applied migrations, oldest first.
    func appliedMigrations() async throws -> [String]
}

/// The database engines Tally supports.
public enum StoreBackend: String, Sendable {
    case sqlite
    case postgres
}

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

/// Keeps the sanitized log of every Stripe call (`tally_api_calls`).
public protocol APICallRecorder: Sendable {
    func record(_ calls: [APICallRecord]) async throws
}

/// One Stripe call as logged: never a secret, never a query string or body.
public struct APICallRecord: Sendable, Equatable {
    public var startedAt: Date
    public var method: String
    /// The path with ids kept but query string, bodies and keys dropped, e.g. `/v1/billing/meters/mtr_1/event_summaries`.
    public var path: String
    /// HTTP status, or 0 when no response arrived (network error, timeout).
    public var status: Int
    public var latencyMilliseconds: Double
    public var requestID: String?
    public var rateLimited: Bool
    /// Stripe's error type/code or the transport error, when the call failed.
    public var errorCode: String?
    /// Which attempt of one logical request this was, starting at 1.
    public var attempt: Int
    /// The job run that made the call, when known.
    public var runID: Int64?

    public init(startedAt: Date, method: String, path: String, status: Int, latencyMilliseconds: Double, requestID: String?, rateLimited: Bool, errorCode: String?, attempt: Int, runID: Int64?) {
        self.startedAt = startedAt
        self.method = method
        self.path = path
        self.status = status
        self.latencyMilliseconds = latencyMilliseconds
        self.requestID = requestID
        self.rateLimited = rateLimited
        self.errorCode = errorCode
        self.attempt = attempt
        self.runID = runID
    }
}
