import Foundation

/// The size of the buckets `meterEventSummaries` returns.
public enum MeterEventSummaryGrouping: String, Sendable {
    /// Needs hour-aligned bounds.
    case hour
    /// Needs 00:00 UTC bounds.
    case day
}

/// Meters and meter events.
extension StripeAPI {
    /// `GET /v1/billing/meters/{id}`.
    public func meter(id: String) async throws -> Meter {
        try await send(.get("/v1/billing/meters/\(StripePath.segment(id))")).decode(Meter.self)
    }

    /// Stripe's aggregated usage of one customer on one meter over `[start, end)`, all pages.
    ///
    /// Stripe requires minute-aligned bounds (hour- or day-aligned with a grouping); without a grouping one
    /// summary covers the whole range.
    public func meterEventSummaries(meterID: String, customer: String, start: Date, end: Date,
                                    grouping: MeterEventSummaryGrouping? = nil) async throws -> [MeterEventSummary] {
        var parameters: [String: FormValue] = [
            "customer": .string(customer),
            "start_time": .timestamp(start),
            "end_time": .timestamp(end),
        ]
        if let grouping { parameters["value_grouping_window"] = .string(grouping.rawValue) }
        return try await list(MeterEventSummary.self,
                              path: "/v1/billing/meters/\(StripePath.segment(meterID))/event_summaries",
                              parameters: parameters)
    }

    /// `POST /v1/billing/meter_events`. Pass an idempotency key stable for the usage row (the identifier
    /// itself is a good one) so a retry in a later run is replayed, not counted again.
    @discardableResult
    public func createMeterEvent(_ event: MeterEventSubmission, idempotencyKey: String? = nil) async throws -> MeterEvent {
        try await send(.post("/v1/billing/meter_events", event.parameters, idempotencyKey: idempotencyKey))
            .decode(MeterEvent.self)
    }

    /// `POST /v1/billing/meter_event_adjustments` with `type=cancel`: Stripe accepts it only within 24 hours
    /// of receiving the event.
    @discardableResult
    public func cancelMeterEvent(eventName: String, identifier: String,
                                 idempotencyKey: String? = nil) async throws -> MeterEventAdjustment {
        let parameters: [String: FormValue] = [
            "event_name": .string(eventName),
            "type": "cancel",
            "cancel": ["identifier": .string(identifier)],
        ]
        return try await send(.post("/v1/billing/meter_event_adjustments", parameters, idempotencyKey: idempotencyKey))
            .decode(MeterEventAdjustment.self)
    }
}
