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

    /// The Idempotency-Key of every send of this row: a re-run after a crash replays the first answer.
    public var idempotencyKey: String { "tally-retry-\(identifier)" }

    /// The delivery row recorded before the first send.
    func delivery(status: MeterEventDeliveryStatus, now: Date, note: String? = nil) -> MeterEventDelivery {
        MeterEventDelivery(usageRowID: row.id, identifier: identifier, customerID: row.stripeCustomerID ?? "",
                           eventName: meter.eventName, value: row.tokens, eventTimestamp: row.createdAt,
                           status: status, lastError: note, idempotencyKey: idempotencyKey,
                           createdAt: now, updatedAt: now)
    }
}
