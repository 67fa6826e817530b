/// What processing one billing event did.
public struct BillingEventOutcome: Sendable, Equatable {
    public enum Effect: String, Sendable, Equatable {
        /// Its changes were written (the first time this event was processed).
        case applied
        /// Processed before: nothing written again (emails not yet sent were retried).
        case alreadyApplied = "already_applied"
        /// A newer event already wrote the same object: nothing written, no email.
        case stale
        /// A type Tally does not act on: stored and skipped.
        case skippedUnknownType = "skipped_unknown_type"
    }

    public var effect: Effect
    /// Emails sent by this call (an email sent for an earlier delivery of the event is not sent again).
    public var emailsSent: Int
    /// Problems recorded for the first time (e.g. a team without an owner email), for the run summary.
    public var newProblems: [BillingProblem]

    public init(effect: Effect, emailsSent: Int = 0, newProblems: [BillingProblem] = []) {
        self.effect = effect
        self.emailsSent = emailsSent
        self.newProblems = newProblems
    }
}
