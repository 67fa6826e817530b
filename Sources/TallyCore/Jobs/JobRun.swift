import Foundation

/// The facts of one run that every job may read: its record in `tally_job_runs`, whether it is a dry run,
/// and the range flags. Dependencies and settings are not here: each job takes only the ones it uses.
public struct JobRun: Sendable, Equatable {
    public var runID: Int64
    /// Work out and store what would be done, but send nothing.
    public var dryRun: Bool
    /// `--since`, when given.
    public var since: Date?
    /// `--until`, when given.
    public var until: Date?

    public init(runID: Int64, dryRun: Bool = false, since: Date? = nil, until: Date? = nil) {
        self.runID = runID
        self.dryRun = dryRun
        self.since = since
        self.until = until
    }

    /// The run's range: `--since`/`--until` where given, the job's default otherwise.
    public func range(default fallback: JobTimeRange) throws -> JobTimeRange {
        let start = since ?? fallback.start
        let end = until ?? (since == nil ? fallback.end : max(fallback.end, start))
        guard start < end else {
            // Name only the flags given: the other end is the job's default, which nobody typed.
            switch (since, until) {
            case (.some, nil):
                throw UsageError(message: "--since \(JobTimeRange.format(start)) is not before the end of this job's default range "
                                 + "(\(JobTimeRange.format(fallback.end))), so there is nothing to do: pass an earlier --since, or an --until after it")
            case (nil, .some):
                throw UsageError(message: "--until \(JobTimeRange.format(end)) is not after the start of this job's default range "
                                 + "(\(JobTimeRange.format(fallback.start))): pass a later --until, or a --since before it")
            default:
                throw UsageError(message: "--since \(JobTimeRange.format(start)) is not before --until \(JobTimeRange.format(end)): swap them")
            }
        }
        return JobTimeRange(start: start, end: end)
    }
}
