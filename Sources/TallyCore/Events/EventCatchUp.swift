import Foundation
import Logging

/// `tally-events`: catches up on Stripe events a webhook may have missed, stores each once in
/// `stripe_events`, queues it, and processes the queue (subscription items), retrying failures with
/// backoff and dead-lettering an event after `retry.maxFailures` failures; then, when due, lists every
/// subscription from Stripe (`SubscriptionListing`), since events reach back 30 days only.
public struct EventCatchUp: Sendable {
    /// The event types the integration plan handles (Stripe accepts at most 20 per call).
    public static let eventTypes = [
        "invoice.payment_succeeded", "invoice.payment_failed", "invoice.finalized", "invoice.upcoming", "invoice.paid",
        "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
        "customer.subscription.trial_will_end", "customer.updated",
        "payment_method.attached", "payment_method.detached",
    ]

    public var settings: EventCatchUpSettings

    public init(settings: EventCatchUpSettings = .init()) {
        self.settings = settings
    }

    private var listing: SubscriptionListing {
        SubscriptionListing(schedule: settings.subscriptionListing, batchSize: settings.batchSize)
    }

    /// Runs the catch-up, then the queue, then the subscription listing when due, with what `context` provides.
    public func run(_ context: JobContext) async throws -> JobReport {
        try await catchUp(context).jobReport
    }

    /// The run, with its counts.
    public func catchUp(_ context: JobContext) async throws -> EventCatchUpSummary {
        let store = context.store
        let since = settings.resumePoint(newestStored: try await store.newestStripeEventCreated(), since: context.since,
                                         now: context.clock.now())
        if let requested = context.since, requested < since {
            context.logger.notice("Stripe keeps events for 30 days; listing from \(JobTimeRange.format(since)) instead of --since \(JobTimeRange.format(requested))")
        }
        var summary = EventCatchUpSummary(since: since, dryRun: context.dryRun)
        var fetched = try await context.stripe.eventsWithPayloads(types: Self.eventTypes, createdAfter: since)
        if let until = context.until { fetched.removeAll { $0.event.created >= until } }
        summary.fetched = fetched.count
        // Listing was this run's first item: a stop requested meanwhile ends the run before anything is written.
        try context.interrupt.check()

        if context.dryRun {
            let known = try await store.storedStripeEventIDs(among: fetched.map(\.event.id))
            summary.new = fetched.count - known.count
            summary.processed = try await countDue(store, now: context.clock.now()) + summary.new
            summary.listing = try await listing.runIfDue(context)
            return summary
        }

        // Oldest first, one transaction per batch: an interrupted run leaves a stored prefix, and the next run
        // resumes from its newest event.
        for start in stride(from: 0, to: fetched.count, by: settings.batchSize) {
            try context.interrupt.check()
            let batch = fetched[start..<min(start + settings.batchSize, fetched.count)]
            summary.new += try await store.storeAndQueue(batch.map(\.record))
        }
        context.logger.debug("stored events", metadata: ["fetched": "\(summary.fetched)", "new": "\(summary.new)"])

        try await processQueue(context, into: &summary)
        // The listing runs after the queue, so a subscription the caught-up events just synced is known and
        // does not ask for a listing by itself. Order does not decide what is stored: every sync is guarded by
        // its stamp, and the listing's stamp (its start) is newer than every event listed before it.
        summary.listing = try await listing.runIfDue(context)
        summary.deadLetters = try await store.stripeEventQueue(status: .dead)
        await alert(summary.newDeadLetters, context)
        return summary
    }

    /// Emails `ALERT_EMAIL` about the events dead-lettered in this run (each is announced once; the run's exit
    /// code keeps saying 1 while any dead letter waits). A failed email is logged, not fatal: the dead letters
    /// are in the queue and in the run record either way.
    private func alert(_ deadLettered: [EventQueueEntry], _ context: JobContext) async {
        guard let message = DeadLetterAlert(deadLettered: deadLettered)
            .message(configuration: context.configuration, now: context.clock.now()) else { return }
        do {
            _ = try await context.mailer.send(message)
        } catch {
            context.logger.error("could not send the dead-letter alert: \(error)")
        }
    }

    /// Processes every due entry once, oldest event first, checking for a stop request between events.
    func processQueue(_ context: JobContext, into summary: inout EventCatchUpSummary) async throws {
        let now = context.clock.now()
        var cursor: DueStripeEvent.Cursor?
        while true {
            let due = try await context.store.dueStripeEvents(now: now, after: cursor, limit: settings.batchSize)
            if due.isEmpty { return }
            for item in due {
                // Each event's writes are one transaction, so a stop between events leaves nothing half done.
                try context.interrupt.check()
                cursor = item.cursor
                try await process(item, context, into: &summary)
            }
        }
    }

    private func process(_ item: DueStripeEvent, _ context: JobContext, into summary: inout EventCatchUpSummary) async throws {
        let event = item.event
        var logger = context.logger
        logger[metadataKey: "event_id"] = "\(event.eventID)"
        logger[metadataKey: "event_type"] = "\(event.eventType)"
        do {
            let sync = try await SubscriptionSync.forEvent(event, stripe: context.stripe)
            let outcome = try await context.store.completeStripeEvent(event.eventID, applying: sync)
            summary.processed += 1
            if outcome == .skippedAsStale { summary.skippedAsStale += 1 }
            logger.debug("processed event", metadata: ["sync": "\(outcome.rawValue)"])
        } catch let error as CancellationError {
            throw error
        } catch {
            let message = Self.errorText(error, secrets: context.configuration.secretValues)
            let attempt = settings.retry.afterFailure(previousFailures: item.entry.retryCount, error: message,
                                                      now: context.clock.now())
            // If even the failure cannot be recorded, the store is the problem: stop the run, retry nothing.
            try await context.store.failStripeEvent(event.eventID, attempt: attempt)
            if attempt.status == .dead {
                summary.newDeadLetters.append(EventQueueEntry(eventID: event.eventID, status: .dead,
                                                              retryCount: attempt.retryCount, lastError: message))
                logger.error("event dead-lettered after \(attempt.retryCount) failures: \(message)")
            } else {
                summary.failed += 1
                logger.warning("event failed (\(attempt.retryCount) of \(settings.retry.maxFailures)); retried from \(attempt.nextRetryAt.map(JobTimeRange.format) ?? "-"): \(message)")
            }
        }
    }

    /// Entries due at `now`, for a dry run.
    private func countDue(_ store: any TallyStore, now: Date) async throws -> Int {
        var count = 0
        var cursor: DueStripeEvent.Cursor?
        while true {
            let due = try await store.dueStripeEvents(now: now, after: cursor, limit: settings.batchSize)
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
