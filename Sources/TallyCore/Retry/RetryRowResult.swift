import Foundation

/// What `tally-retry` did with one usage row (or one duplicate event): a line of `retry.csv`.
public struct RetryRowResult: Sendable, Equatable {
    /// The outcomes a row can have.
    public enum Outcome: String, Sendable, CaseIterable {
        /// Stripe answered 200.
        case sent
        /// Stripe already had the identifier: counted as delivered.
        case alreadyDelivered = "already_delivered"
        /// Dry run: would be sent.
        case wouldSend = "would_send"
        /// Turned away unprocessed (a 429): stays pending, re-sent with the same identifier next run.
        case pending
        /// Sent, outcome unknown (5xx, timeout, dropped connection, unreadable 200): never counted as sent;
        /// the next run settles it from Stripe's summaries.
        case unconfirmed
        /// Stripe rejected it; re-sending will not help.
        case failed
        /// Not sent: a person must bill or credit it (see the needs-a-human list).
        case needsHuman = "needs_human"
        /// A duplicate Tally sent, cancelled through a meter event adjustment.
        case cancelled
        /// Dry run: would be cancelled.
        case wouldCancel = "would_cancel"
    }

    public var usageRowID: String
    public var identifier: String
    public var customerID: String
    public var value: Int64
    public var timestamp: Date
    public var outcome: Outcome
    /// Why, in a sentence (Stripe's message, the rule that held it back).
    public var detail: String
    /// For `needs_human`: the fix a person applies (invoice item, credit note).
    public var suggestedFix: String?

    public init(usageRowID: String, identifier: String, customerID: String, value: Int64, timestamp: Date,
                outcome: Outcome, detail: String, suggestedFix: String? = nil) {
        self.usageRowID = usageRowID
        self.identifier = identifier
        self.customerID = customerID
        self.value = value
        self.timestamp = timestamp
        self.outcome = outcome
        self.detail = detail
        self.suggestedFix = suggestedFix
    }

    init(_ candidate: RetryCandidate, outcome: Outcome, detail: String, suggestedFix: String? = nil) {
        self.init(usageRowID: candidate.row.id, identifier: candidate.identifier,
                  customerID: candidate.row.stripeCustomerID ?? "", value: candidate.row.tokens,
                  timestamp: candidate.row.createdAt, outcome: outcome, detail: detail, suggestedFix: suggestedFix)
    }
}
