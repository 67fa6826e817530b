import Foundation

/// Sends one recorded delivery to Stripe and stores what Stripe answered, in its own small write.
struct MeterEventSender: Sendable {
    /// The note on a delivery Stripe already had: Tally's send added nothing, so it is never a duplicate to cancel.
    static let alreadyInStripe = "Stripe already had this identifier"

    var stripe: any StripeAPI
    var store: any MeterEventDeliveryStore
    var clock: any TallyClock

    /// Records the delivery as `pending` (unless an earlier run did), sends it, and stores the answer.
    /// Throws only what must stop the whole run (a rejected key, an open circuit, cancellation).
    func deliver(_ candidate: RetryCandidate) async throws -> RetryRowResult {
        var delivery = try await store.recordDelivery(candidate.delivery(status: .pending, now: clock.now()))
        let submission = MeterEventSubmission(meter: candidate.meter, customerID: delivery.customerID,
                                              value: delivery.value, identifier: delivery.identifier,
                                              timestamp: delivery.eventTimestamp)
        delivery.idempotencyKey = candidate.idempotencyKey
        let result: RetryRowResult
        do {
            let response = try await stripe.send(.post("/v1/billing/meter_events", submission.parameters,
                                                       idempotencyKey: candidate.idempotencyKey))
            // Marked sent only now that Stripe answered 2xx.
            delivery.status = .sent
            delivery.stripeRequestID = response.requestID
            delivery.lastError = response.idempotentReplayed ? "Stripe replayed an earlier answer" : nil
            delivery.sentAt = clock.now()
            result = RetryRowResult(candidate, outcome: .sent, detail: response.requestID.map { "Request-Id \($0)" } ?? "accepted")
        } catch let error as StripeError {
            switch Self.classify(error) {
            case .delivered:
                delivery.status = .sent
                delivery.stripeRequestID = error.requestID
                delivery.lastError = Self.alreadyInStripe
                delivery.sentAt = clock.now()
                result = RetryRowResult(candidate, outcome: .alreadyDelivered, detail: Self.alreadyInStripe)
            case .retryLater:
                delivery.status = .pending
                delivery.lastError = error.message
                result = RetryRowResult(candidate, outcome: .pending,
                                        detail: "re-sent next run with the same identifier: \(error.message)")
            case .rejected:
                delivery.status = .failed
                delivery.lastError = error.message
                result = RetryRowResult(candidate, outcome: .failed, detail: error.message)
            case .stopRun:
                throw error
            }
        }
        delivery.attempts += 1
        delivery.updatedAt = clock.now()
        try await store.updateDelivery(delivery)
        return result
    }

    /// How a failed send is treated.
    enum FailureClass: Equatable {
        /// Stripe's 400 for an identifier it already has (within its 24 h window): the usage is counted.
        case delivered
        /// Timeout, 5xx, 429 or network: Stripe may or may not have it; the same identifier is safe to re-send.
        case retryLater
        /// Any other 4xx: re-sending will not help.
        case rejected
        /// The key, a permission or Stripe's availability: nothing else will succeed either.
        case stopRun
    }

    static func classify(_ error: StripeError) -> FailureClass {
        switch error.code {
        case .invalidRequest:
            let detail = error.stripeError
            if error.httpStatus == 400,
               detail?.code == "duplicate_meter_event" || detail?.message?.contains("already exists with identifier") == true {
                return .delivered
            }
            return .rejected
        case .timeout, .server, .network, .rateLimited: return .retryLater
        case .decoding: return .rejected
        case .authentication, .permission, .circuitOpen: return .stopRun
        }
    }
}
