import Foundation

/// What one `tally-events` run did, counted for the report.
public struct EventCatchUpSummary: Sendable, Equatable {
    /// Events listed from Stripe.
    public var fetched = 0
    /// Of those, events not stored before (for a dry run: that would be stored).
    public var new = 0
    /// Queue entries processed (for a dry run: due, and would be processed).
    public var processed = 0
    /// Processed events whose subscription a newer event had already synced.
    public var skippedAsStale = 0
    /// Entries that failed and wait for a retry.
    public var failed = 0
    /// Entries that failed for the last time in this run.
    public var deadLettered: Int { newDeadLetters.count }
    /// The entries that failed for the last time in this run.
    public var newDeadLetters: [EventQueueEntry] = []
    /// Every dead letter in the queue, this run's and earlier ones: each needs a person.
    public var deadLetters: [EventQueueEntry] = []
    /// The listing of every subscription, when one was due.
    public var listing: SubscriptionListingSummary?
    /// What the event handler (the billing events) did: emails, problems for a person, notes.
    public var handling = StripeEventHandling()
    /// Where the run started listing events.
    public var since: Date
    public var dryRun: Bool

    public init(since: Date, dryRun: Bool) {
        self.since = since
        self.dryRun = dryRun
    }

    /// Dead letters shown by id in the summary line; the rest are counted.
    static let listedDeadLetters = 10

    /// The report the runner records: exit 1 while any dead letter waits in the queue. An entry that will be
    /// retried is not a failure a person must see; it is counted in the summary.
    public var jobReport: JobReport {
        JobReport(itemsProcessed: processed, itemsFailed: deadLettered,
                  needsHuman: !deadLetters.isEmpty || !handling.problems.isEmpty, summary: line)
    }

    /// One line for the log and the run record.
    public var line: String {
        let start = JobTimeRange.format(since)
        if dryRun {
            return "dry run: \(fetched) events since \(start), would store \(new) new and process \(processed) queued"
                + (listing.map { "; \($0.line)" } ?? "") + "; nothing written"
        }
        var text = "\(fetched) events since \(start), \(new) new; processed \(processed)"
        if skippedAsStale > 0 { text += " (\(skippedAsStale) older than the subscription's synced state, not applied)" }
        text += ", failed \(failed) (retried later), dead-lettered \(deadLettered)"
        if let listing { text += "; \(listing.line)" }
        if handling.emailsSent > 0 { text += "; \(handling.emailsSent) billing email\(handling.emailsSent == 1 ? "" : "s") sent" }
        for note in handling.notes { text += "; \(note)" }
        if !handling.problems.isEmpty {
            text += "; \(handling.problems.count) need\(handling.problems.count == 1 ? "s" : "") a human: \(handling.problems.joined(separator: "; "))"
        }
        if !deadLetters.isEmpty {
            let listed = deadLetters.prefix(Self.listedDeadLetters).map { entry in
                "\(entry.eventID) after \(entry.retryCount) failures: \(entry.lastError ?? "no error recorded")"
            }
            let more = deadLetters.count > Self.listedDeadLetters ? "; and \(deadLetters.count - Self.listedDeadLetters) more" : ""
            text += "; \(deadLetters.count) dead letters in stripe_event_queue need a human: \(listed.joined(separator: "; "))\(more)"
        }
        return text
    }
}
