import Foundation

/// Something that acts on each stored Stripe event as the queue processes it, and finishes the run's work
/// after the queue (the billing events' processor), declared here so the events job can call it without
/// naming its feature.
///
/// `handle` is called before the queue entry is completed; a thrown error is the event's failure (retried
/// with backoff, then dead-lettered), so an implementation must be safe to call again for the same event.
/// Neither is called on a dry run: both write and send email.
public protocol StripeEventHandler: Sendable {
    /// Acts on one event.
    func handle(_ event: StripeEventRecord) async throws -> StripeEventHandling
    /// After the queue: keeps derived rows current and reads what the queue does not carry.
    func finishRun(now: Date) async throws -> StripeEventHandling
}

/// What a handler did that the run's summary line and exit code must say.
public struct StripeEventHandling: Sendable, Equatable {
    /// Emails sent (to teams' owners or to `ALERT_EMAIL`).
    public var emailsSent: Int
    /// Problems a person must act on, each reported the first time it is seen (the run then exits 1).
    public var problems: [String]
    /// Other facts for the summary line.
    public var notes: [String]

    public init(emailsSent: Int = 0, problems: [String] = [], notes: [String] = []) {
        self.emailsSent = emailsSent
        self.problems = problems
        self.notes = notes
    }

    public mutating func add(_ other: StripeEventHandling) {
        emailsSent += other.emailsSent
        problems += other.problems
        notes += other.notes
    }
}
