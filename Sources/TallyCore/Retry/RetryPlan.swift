import Foundation

/// What `tally-retry` works on in one run: rows to (re-)send and duplicates to look at.
public struct RetryPlan: Sendable {
    /// One per identifier, oldest usage first.
    public var candidates: [RetryCandidate]
    /// Open `extra_in_stripe` discrepancies of the latest reconciliation.
    public var extras: [StoredDiscrepancy]
    /// Where the rows came from, for the log.
    public var source: String
    /// Unreported rows no reconciliation had judged, checked against Stripe by this run.
    public var checkedAgainstStripe: Int
    /// Checked rows whose windows agree with Stripe: their usage is there, so a delivery of theirs still
    /// waiting for an answer can be settled as sent.
    public var presentInStripe: [UsageRow]
    /// The ids of unreported, billable rows not settled yet (written at or after `settledBefore`): never
    /// candidates, since the app may still be sending them; a later run judges them. Named in the summary
    /// so a backlog that did not go out says why.
    public var settling: Set<String>
    /// Where settled usage ends: `RECONCILE_SETTLE_MINUTES` before now, rounded down to the whole hour
    /// Stripe's summaries are judged by.
    public var settledBefore: Date

    public init(candidates: [RetryCandidate], extras: [StoredDiscrepancy], source: String, checkedAgainstStripe: Int = 0,
                presentInStripe: [UsageRow] = [], settling: Set<String> = [], settledBefore: Date = .distantFuture) {
        self.settling = settling
        self.settledBefore = settledBefore
        self.candidates = candidates
        self.extras = extras
        self.source = source
        self.checkedAgainstStripe = checkedAgainstStripe
        self.presentInStripe = presentInStripe
    }
}
