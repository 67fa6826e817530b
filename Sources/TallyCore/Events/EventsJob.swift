import Foundation
import Logging

/// `tally-events`: catches up on Stripe events a webhook may have missed, stores each once in
/// `stripe_events`, queues it, and processes the queue (subscription items), retrying failures with
/// backoff and dead-lettering an event after `retry.maxFailures` failures; then, when due, lists every
/// subscription from Stripe (`SubscriptionListing`), since events reach back 30 days only.
public struct EventsJob: TallyJob {
    /// The job's name (`tally_job_runs.job`, the lock, the log label).
    public static let name = "events"

    /// The event types the integration plan handles (Stripe accepts at most 20 per call).
    public static let eventTypes = [
        "invoice.payment_succeeded", "invoice.payment_failed", "invoice.finalized", "invoice.upcoming", "invoice.paid",
        "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
        "customer.subscription.trial_will_end", "customer.updated",
        "payment_method.attached", "payment_method.detached",
    ]

    /// The settings the events job reads.
    public struct Settings: Sendable {
        /// How far back it looks, and how it stores and retries.
        public var catchUp: EventCatchUpSettings
        /// Who hears of dead-lettered events.
        public var opsMail: OpsMail
        /// Every secret value, removed from the failures kept in `stripe_event_queue.last_error`.
        public var secretValues: [String]

        public init(catchUp: EventCatchUpSettings = .init(), opsMail: OpsMail, secretValues: [String]) {
            self.catchUp = catchUp
            self.opsMail = opsMail
            self.secretValues = secretValues
        }
    }

    /// The stored events.
    public var inbox: any StripeEventInbox
    /// Their processing queue.
    public var queue: any StripeEventQueue
    /// The synced subscription state the listing reads and writes.
    public var listings: any SubscriptionListingStore
    public var stripe: any StripeAPI
    public var mailer: any Mailer
    public var logger: Logger
    public var clock: any TallyClock
    /// Checked between batches and events: a signal stops the run with nothing half written.
    public var interrupt: InterruptFlag
    public var jobRun: JobRun
    public var settings: Settings
    /// Acts on each event as the queue processes it, and after the queue (the billing events); nil keeps
    /// only the subscription items in sync.
    public var handler: (any StripeEventHandler)?

    public init(inbox: any StripeEventInbox, queue: any StripeEventQueue, listings: any SubscriptionListingStore,
                stripe: any StripeAPI, mailer: any Mailer, logger: Logger, clock: any TallyClock, interrupt: InterruptFlag,
                jobRun: JobRun, settings: Settings, handler: (any StripeEventHandler)? = nil) {
        self.inbox = inbox
        self.queue = queue
        self.listings = listings
        self.stripe = stripe
        self.mailer = mailer
        self.logger = logger
        self.clock = clock
        self.interrupt = interrupt
        self.jobRun = jobRun
        self.settings = settings
        self.handler = handler
    }

    private var catchUpSettings: EventCatchUpSettings { settings.catchUp }

    private var listing: SubscriptionListing {
        SubscriptionListing(store: listings, stripe: stripe, logger: logger, clock: clock, interrupt: interrupt,
                            schedule: catchUpSettings.subscriptionListing, batchSize: catchUpSettings.batchSize)
    }

    /// Runs the catch-up, then the queue, then the subscription listing when due.
    public func run() async throws -> JobReport {
        try await catchUp().jobReport
    }

    /// The run, with its counts.
    public func catchUp() async throws -> EventCatchUpSummary {
        let dryRun = jobRun.dryRun
        let since = catchUpSettings.resumePoint(newestStored: try await inbox.newestStripeEventCreated(), since: jobRun.since,
                                                now: clock.now())
        if let requested = jobRun.since, requested < since {
            logger.notice("Stripe keeps events for 30 days; listing from \(JobTimeRange.format(since)) instead of --since \(JobTimeRange.format(requested))")
        }
        var summary = EventCatchUpSummary(since: since, dryRun: dryRun)
        var fetched = try await stripe.eventsWithPayloads(types: Self.eventTypes, createdAfter: since)
        if let until = jobRun.until { fetched.removeAll { $0.event.created >= until } }
        summary.fetched = fetched.count
        // Listing was this run's first item: a stop requested meanwhile ends the run before anything is written.
        try interrupt.check()

        if dryRun {
            let known = try await inbox.storedStripeEventIDs(among: fetched.map(\.event.id))
            summary.new = fetched.count - known.count
            summary.processed = try await countDue(now: clock.now()) + summary.new
            summary.listing = try await listing.runIfDue(dryRun: true)
            return summary
        }

        // Oldest first, one transaction per batch: an interrupted run leaves a stored prefix, and the next run
        // resumes from its newest event.
        for start in stride(from: 0, to: fetched.count, by: catchUpSettings.batchSize) {
            try interrupt.check()
            let batch = fetched[start..<min(start + catchUpSettings.batchSize, fetched.count)]
            summary.new += try await inbox.storeAndQueue(batch.map(\.record))
        }
        logger.debug("stored events", metadata: ["fetched": "\(summary.fetched)", "new": "\(summary.new)"])

        try await processQueue(into: &summary)
        // The listing runs after the queue, so a subscription the caught-up events just synced is known and
        // does not ask for a listing by itself. Order does not decide what is stored: every sync is guarded by
        // its stamp, and the listing's stamp (its start) is newer than every event listed before it.
        summary.listing = try await listing.runIfDue(dryRun: false)
        summary.deadLetters = try await queue.stripeEventQueue(status: .dead)
        await alert(summary.newDeadLetters)
        // Last: a failure here (Stripe's v2 events unreachable) fails the run loudly, after the queue's work
        // and the dead-letter alert are kept.
        if let handler {
            summary.handling.add(try await handler.finishRun(now: clock.now()))
        }
        return summary
    }

    /// Emails `ALERT_EMAIL` about the events dead-lettered in this run (each is announced once; the run's exit
    /// code keeps saying 1 while any dead letter waits). A failed email is logged, not fatal: the dead letters
    /// are in the queue and in the run record either way.
    private func alert(_ deadLettered: [EventQueueEntry]) async {
        guard let message = DeadLetterAlert(deadLettered: deadLettered)
            .message(opsMail: settings.opsMail, now: clock.now()) else { return }
        do {
            _ = try await mailer.send(message)
        } catch {
            logger.error("could not send the dead-letter alert: \(error)")
        }
    }

    /// Processes every due entry once, oldest event first, checking for a stop request between events.
    func processQueue(into summary: inout EventCatchUpSummary) async throws {
        let now = clock.now()
        var cursor: DueStripeEvent.Cursor?
        while true {
            let due = try await queue.dueStripeEvents(now: now, after: cursor, limit: catchUpSettings.batchSize)
            if due.isEmpty { return }
            for item in due {
                // Each event's writes are one transaction, so a stop between events leaves nothing half done.
                try interrupt.check()
                cursor = item.cursor
                try await process(item, into: &summary)
            }
        }
    }

    private func process(_ item: DueStripeEvent, into summary: inout EventCatchUpSummary) async throws {
        let event = item.event
        var logger = self.logger
        logger[metadataKey: "event_id"] = "\(event.eventID)"
        logger[metadataKey: "event_type"] = "\(event.eventType)"
        do {
            let sync = try await SubscriptionSync.forEvent(event, stripe: stripe)
            // Before the entry is completed: a handler's failure is the event's, retried and then dead-lettered.
            if let handler {
                summary.handling.add(try await handler.handle(event))
            }
            let outcome = try await queue.completeStripeEvent(event.eventID, applying: sync)
            summary.processed += 1
            if outcome == .skippedAsStale { summary.skippedAsStale += 1 }
            logger.debug("processed event", metadata: ["sync": "\(outcome.rawValue)"])
        } catch let error as CancellationError {
            throw error
        } catch {
            let message = Self.errorText(error, secrets: settings.secretValues)
            let attempt = catchUpSettings.retry.afterFailure(previousFailures: item.entry.retryCount, error: message,
                                                             now: clock.now())
            // If even the failure cannot be recorded, the store is the problem: stop the run, retry nothing.
            try await queue.failStripeEvent(event.eventID, attempt: attempt)
            if attempt.status == .dead {
                summary.newDeadLetters.append(EventQueueEntry(eventID: event.eventID, status: .dead,
                                                              retryCount: attempt.retryCount, lastError: message))
                logger.error("event dead-lettered after \(attempt.retryCount) failures: \(message)")
            } else {
                summary.failed += 1
                logger.warning("event failed (\(attempt.retryCount) of \(catchUpSettings.retry.maxFailures)); retried from \(attempt.nextRetryAt.map(JobTimeRange.format) ?? "-"): \(message)")
            }
        }
    }

    /// Entries due at `now`, for a dry run.
    private func countDue(now: Date) async throws -> Int {
        var count = 0
        var cursor: DueStripeEvent.Cursor?
        while true {
            let due = try await queue.dueStripeEvents(now: now, after: cursor, limit: catchUpSettings.batchSize)
            guard let last = due.last else { return count }
            count += due.count
            cursor = last.cursor
        }
    }

    /// `last_error`: the failure's own words, any secret removed, short enough for a log line.
    static func errorText(_ error: any Error, secrets: [String]) -> String {
        var text = "\(error)"
        for secret in secrets where !secret.isEmpty {
            text = text.replacingOccurrences(of: secret, with: "<redacted>")
        }
        text = text.replacing(/(sk|rk|pk)_(test|live)_[A-Za-z0-9*]+/, with: "<redacted>")
        return text.count > 500 ? String(text.prefix(499)) + "…" : text
    }
}
