import Foundation

/// A usage row `tally-retry` considers re-sending, with the meter it belongs to and why it came up.
public struct RetryCandidate: Sendable, Equatable {
    public var row: UsageRow
    public var meter: Meter
    /// `unreported` or `lost_after_ack`.
    public var kind: DiscrepancyKind
    /// Set when reconciliation already decided a person must look, with its suggested action.
    public var humanReason: String?

    public init(row: UsageRow, meter: Meter, kind: DiscrepancyKind, humanReason: String? = nil) {
        self.row = row
        self.meter = meter
        self.kind = kind
        self.humanReason = humanReason
    }

    /// The row's stable meter-event identifier.
    public var identifier: String { MeterEventIdentifier.forRow(row) }

    /// The Idempotency-Key of send number `attempt` (1-based, counted across runs on the delivery): the
    /// same number after a crash replays Stripe's first answer; a new number gets past a stored 500.
    public func idempotencyKey(attempt: Int) -> String { "tally-retry-\(identifier)-\(attempt)" }

    /// The delivery row recorded before the first send.
    func delivery(status: MeterEventDeliveryStatus, now: Date, note: String? = nil) -> MeterEventDelivery {
        MeterEventDelivery(usageRowID: row.id, identifier: identifier, customerID: row.stripeCustomerID ?? "",
                           eventName: meter.eventName, value: row.tokens, eventTimestamp: row.createdAt,
                           status: status, lastError: note, idempotencyKey: nil,
                           createdAt: now, updatedAt: now)
    }
}
