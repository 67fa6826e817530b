import Foundation

/// What `tally-retry` works on in one run: rows to (re-)send and duplicates to look at.
public struct RetryPlan: Sendable {
    /// One per identifier, oldest usage first.
    public var candidates: [RetryCandidate]
    /// Open `extra_in_stripe` discrepancies of the latest reconciliation.
    public var extras: [StoredDiscrepancy]
    /// Where the rows came from, for the log: `reconciliation` or `unreported rows`.
    public var source: String

    public init(candidates: [RetryCandidate], extras: [StoredDiscrepancy], source: String) {
        self.candidates = candidates
        self.extras = extras
        self.source = source
    }
}
