import Foundation

/// Records a batch of deliveries as `pending` in one write, sends each to Stripe, and hands back what
/// Stripe answered for the caller to store in batches (`RetryJob.send`).
///
/// The order is the safety: a row is `pending` in the store before its event leaves, and becomes `sent` only
/// from a 2xx naming its identifier. A run killed after a send and before its outcome is stored leaves the
/// row `pending` with the same attempt count, so the next run re-sends under the same Idempotency-Key and
/// Stripe replays its first answer (within 24 h; after that, the summaries settle the row before any send).
struct MeterEventSender: Sendable {
    /// The note on a delivery Stripe already had: Tally's send added nothing, so it is never a duplicate to cancel.
    static let alreadyInStripe = "Stripe already had this identifier"

    var stripe: any StripeAPI
    var store: any MeterEventDeliveryStore
    var clock: any TallyClock

    /// One send's answer: the delivery as it is to be stored, and the row's line of the report.
    struct Attempt: Sendable {
        var delivery: MeterEventDelivery
        var result: RetryRowResult
    }

    /// Records each candidate's delivery as `pending` (unless an earlier run did) in one transaction and
    /// returns each candidate with its stored row, in the candidates' order.
    func record(_ candidates: [RetryCandidate]) async throws -> [(candidate: RetryCandidate, delivery: MeterEventDelivery)] {
        let now = clock.now()
        let stored = try await store.recordDeliveries(candidates.map { $0.delivery(status: .pending, now: now) })
        let byIdentifier = Dictionary(stored.map { ($0.identifier, $0) }, uniquingKeysWith: { first, _ in first })
        return try candidates.map { candidate in
            guard let delivery = byIdentifier[candidate.identifier] else {
                throw StoredRecordMissing(table: "meter_event_deliveries", id: 0)
            }
            return (candidate, delivery)
        }
    }

    /// Sends one recorded delivery and returns the outcome to store; stores nothing itself.
    /// Throws only what must stop the whole run (a rejected key, an open circuit, cancellation).
    func send(_ candidate: RetryCandidate, recorded: MeterEventDelivery) async throws -> Attempt {
        var delivery = recorded
        let submission = MeterEventSubmission(meter: candidate.meter, customerID: delivery.customerID,
                                              value: delivery.value, identifier: delivery.identifier,
                                              timestamp: delivery.eventTimestamp)
        // Attempt n goes out under key n: a run killed before storing the answer re-sends under the same key
        // and Stripe replays its first answer; after a stored answer the next attempt takes a new key, since
        // Stripe also stores (and replays) a 500. The identifier stays, so Stripe still counts the row once.
        let key = candidate.idempotencyKey(attempt: delivery.attempts + 1)
        delivery.idempotencyKey = key
        let result: RetryRowResult
        do {
            let response = try await stripe.send(StripeRequest(method: .post, path: "/v1/billing/meter_events",
                                                               parameters: submission.parameters, idempotencyKey: key,
                                                               newKeyPerAttempt: true))
            delivery.stripeRequestID = response.requestID
            if let event = try? response.decode(MeterEvent.self), event.identifier == delivery.identifier {
                // Marked sent only now that Stripe answered 2xx with the event it recorded.
                delivery.status = .sent
                delivery.lastError = response.idempotentReplayed ? "Stripe replayed an earlier answer" : nil
                delivery.sentAt = clock.now()
                result = RetryRowResult(candidate, outcome: .sent, detail: response.requestID.map { "Request-Id \($0)" } ?? "accepted")
            } else {
                // A 200 Tally cannot read says nothing it can trust about this event.
                let reference = response.requestID.map { " (Request-Id \($0))" } ?? ""
                let note = "Stripe answered \(response.status) with a body Tally could not read as this event\(reference)"
                delivery.status = .unconfirmed
                delivery.lastError = note
                result = RetryRowResult(candidate, outcome: .unconfirmed, detail: "\(note); \(Self.settledNextRun)")
            }
        } catch let error as StripeError {
            switch Self.classify(error) {
            case .delivered:
                delivery.status = .sent
                delivery.stripeRequestID = error.requestID
                delivery.lastError = Self.alreadyInStripe
                delivery.sentAt = clock.now()
                result = RetryRowResult(candidate, outcome: .alreadyDelivered, detail: Self.alreadyInStripe)
            case .notProcessed:
                // Stripe turned this attempt away unprocessed; an earlier attempt's unknown outcome still stands.
                delivery.status = delivery.status == .unconfirmed ? .unconfirmed : .pending
                delivery.lastError = error.message
                result = RetryRowResult(candidate, outcome: delivery.status == .unconfirmed ? .unconfirmed : .pending,
                                        detail: "re-sent next run with the same identifier: \(error.message)")
            case .unknownOutcome:
                delivery.status = .unconfirmed
                delivery.lastError = error.message
                result = RetryRowResult(candidate, outcome: .unconfirmed, detail: "\(error.message) \(Self.settledNextRun)")
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
        return Attempt(delivery: delivery, result: result)
    }

    static let settledNextRun = "Stripe may or may not count it: the next run settles it from Stripe's summaries"

    /// How a failed send is treated.
    enum FailureClass: Equatable {
        /// Stripe's 400 for an identifier it already has (within its 24 h window): the usage is counted.
        case delivered
        /// A 429 (a rate limit or an object lock): Stripe processed nothing; the same identifier is re-sent.
        case notProcessed
        /// A timeout, a 5xx or a dropped connection: Stripe may or may not have it (`unconfirmed`).
        case unknownOutcome
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
        case .rateLimited: return .notProcessed
        case .timeout, .server, .network: return .unknownOutcome
        case .decoding: return .rejected
        case .authentication, .permission, .circuitOpen, .misbehaving: return .stopRun
        }
    }
}
