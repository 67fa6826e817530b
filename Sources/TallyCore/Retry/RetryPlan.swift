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
    /// Unreported, billable rows younger than the settle delay, never candidates: the app may still be
    /// sending them, so a later run judges them. Counted so the summary says why they were not sent.
    public var settling: Int

    public init(candidates: [RetryCandidate], extras: [StoredDiscrepancy], source: String, checkedAgainstStripe: Int = 0,
                presentInStripe: [UsageRow] = [], settling: Int = 0) {
        self.settling = settling
        self.candidates = candidates
        self.extras = extras
        self.source = source
        self.checkedAgainstStripe = checkedAgainstStripe
        self.presentInStripe = presentInStripe
    }
}
