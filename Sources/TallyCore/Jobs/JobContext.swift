import Foundation
import Logging

/// Everything a use-case needs for one run, built by the executable's shell and handed in whole, so the
/// use-case never reads the environment or opens anything itself.
public struct JobContext: Sendable {
    public var configuration: TallyConfiguration
    public var store: any TallyStore
    public var stripe: any StripeAPI
    public var mailer: any Mailer
    public var logger: Logger
    public var clock: any TallyClock
    /// Checked between items, and by every Stripe call of `stripe`: a signal stops the run at the next
    /// item or call, abandoning a call in flight.
    public var interrupt: InterruptFlag
    /// Work out and store what would be done, but send nothing.
    public var dryRun: Bool
    /// `--since`, when given.
    public var since: Date?
    /// `--until`, when given.
    public var until: Date?
    public var runID: Int64

    public init(configuration: TallyConfiguration, store: any TallyStore, stripe: any StripeAPI, mailer: any Mailer,
                logger: Logger, clock: any TallyClock, interrupt: InterruptFlag, dryRun: Bool,
                since: Date?, until: Date?, runID: Int64) {
        self.configuration = configuration
        self.store = store
        // Every Stripe call of the run stops with it (see `InterruptibleStripe`).
        self.stripe = stripe is InterruptibleStripe ? stripe : InterruptibleStripe(base: stripe, interrupt: interrupt)
        self.mailer = mailer
        self.logger = logger
        self.clock = clock
        self.interrupt = interrupt
        self.dryRun = dryRun
        self.since = since
        self.until = until
        self.runID = runID
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
