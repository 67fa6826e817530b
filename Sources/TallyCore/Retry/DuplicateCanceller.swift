import Foundation

/// Cancels events Tally itself sent that made Stripe count more than the app recorded, while Stripe's
/// 24-hour adjustment window allows; everything else over-counted is left for a person.
struct DuplicateCanceller: Sendable {
    var stripe: any StripeAPI
    var store: any MeterEventDeliveryStore
    var meters: [String: Meter]
    var now: Date
    var dryRun: Bool

    static let creditNoteFix = "issue a credit note for the excess, or cancel the duplicate events in Stripe"

    /// Handles one `extra_in_stripe` discrepancy: cancels Tally's own events in its window, oldest first,
    /// as long as each fits in the excess; reports what is left.
    func repair(_ stored: StoredDiscrepancy) async throws -> [RetryRowResult] {
        let extra = stored.discrepancy
        guard let customer = extra.customerID, let meter = meters[extra.meterID] else { return [] }
        var excess = -extra.difference
        var results: [RetryRowResult] = []
        // Stripe accepts a cancel adjustment only within 24 hours of receiving the event.
        let cancellable = try await store.sentDeliveries(customerID: customer, eventName: meter.eventName,
                                                         from: extra.windowStart, to: extra.windowEnd)
            .filter { ($0.sentAt ?? .distantPast) >= now.addingTimeInterval(-GapClassifier.identifierWindow)
                && $0.lastError != MeterEventSender.alreadyInStripe }
        for var delivery in cancellable where excess > 0 && delivery.value <= excess {
            func result(_ outcome: RetryRowResult.Outcome, _ detail: String) -> RetryRowResult {
                RetryRowResult(usageRowID: delivery.usageRowID, identifier: delivery.identifier, customerID: customer,
                               value: delivery.value, timestamp: delivery.eventTimestamp, outcome: outcome, detail: detail)
            }
            if dryRun {
                results.append(result(.wouldCancel, "sent by Tally and counted twice: would be cancelled"))
                excess -= delivery.value
                continue
            }
            do {
                try await stripe.cancelMeterEvent(eventName: meter.eventName, identifier: delivery.identifier,
                                                  idempotencyKey: "tally-cancel-\(delivery.identifier)")
            } catch let error as StripeError where MeterEventSender.classify(error) != .stopRun {
                results.append(result(.failed, "could not cancel: \(error.message)"))
                continue
            }
            delivery.status = .cancelled
            delivery.lastError = "cancelled as a duplicate through a meter event adjustment"
            delivery.updatedAt = now
            try await store.updateDelivery(delivery)
            results.append(result(.cancelled, "sent by Tally and counted twice: cancelled"))
            excess -= delivery.value
        }
        let cancelled = results.filter { $0.outcome == .cancelled }.count
        if excess == 0 && cancelled > 0 && !dryRun {
            // Closed, so a second run before the next reconciliation does not report it again.
            try await store.resolveDiscrepancy(id: stored.id, resolution: "tally-retry cancelled \(cancelled) duplicate event(s) Tally sent")
        }
        if excess > 0 {
            results.append(RetryRowResult(
                usageRowID: "", identifier: "", customerID: customer, value: excess, timestamp: extra.windowStart,
                outcome: .needsHuman,
                detail: "Stripe counts \(excess) more than the app between \(JobTimeRange.format(extra.windowStart)) and \(JobTimeRange.format(extra.windowEnd)); not events Tally can still cancel",
                suggestedFix: Self.creditNoteFix))
        }
        return results
    }
}
