import Foundation

/// One row of `tally_meter_event_deliveries`: a usage row's meter event as `tally-retry` sent (or held back).
public struct MeterEventDelivery: Sendable, Equatable {
    public var usageRowID: String
    /// The meter-event identifier (`MeterEventIdentifier.forRow`), unique in the table.
    public var identifier: String
    public var customerID: String
    public var eventName: String
    public var value: Int64
    public var eventTimestamp: Date
    public var status: MeterEventDeliveryStatus
    /// Attempts that got an answer (or a timeout) from Stripe.
    public var attempts: Int
    public var lastError: String?
    /// Stripe's `Request-Id` of the accepted send (or of the adjustment that cancelled it).
    public var stripeRequestID: String?
    public var idempotencyKey: String?
    public var sentAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(usageRowID: String, identifier: String, customerID: String, eventName: String, value: Int64,
                eventTimestamp: Date, status: MeterEventDeliveryStatus, attempts: Int = 0, lastError: String? = nil,
                stripeRequestID: String? = nil, idempotencyKey: String? = nil, sentAt: Date? = nil,
                createdAt: Date, updatedAt: Date) {
        self.usageRowID = usageRowID
        self.identifier = identifier
        self.customerID = customerID
        self.eventName = eventName
        self.value = value
        self.eventTimestamp = eventTimestamp
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.stripeRequestID = stripeRequestID
        self.idempotencyKey = idempotencyKey
        self.sentAt = sentAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Where a delivery stands, as stored in `tally_meter_event_deliveries.status`.
public enum MeterEventDeliveryStatus: String, Sendable, Codable, CaseIterable {
    /// Recorded, not yet accepted by Stripe: never tried, tried and turned away before Stripe processed it
    /// (a 429), or tried by a run killed before it stored the answer.
    case pending
    /// Sent, outcome unknown (a 5xx, a dropped connection, a timeout, a 200 Tally could not read): Stripe may
    /// or may not count it. Never counted as sent; the next `tally-retry` settles it from Stripe's summaries,
    /// re-sending under a new Idempotency-Key (same identifier) within Stripe's 24 h identifier window.
    case unconfirmed
    /// Stripe answered 200, or said it already has the identifier.
    case sent
    /// Stripe rejected it (4xx other than a duplicate): re-sending will not help.
    case failed
    /// Beyond what may be re-sent safely (35-day limit, identifier window passed): a person bills it.
    case needsHuman = "needs_human"
    /// Sent twice by Tally and cancelled through a meter event adjustment.
    case cancelled
    /// Accepted by Stripe, then reported invalid by a meter error report (`v1.billing.meter.error_report_triggered`
    /// or `no_meter_found`): Stripe does not bill it, and re-sending the same event will not help.
    case rejected
}

/// A stored delivery row that Tally cannot read back.
struct StoredDeliveryInvalid: TallyFailure {
    var identifier: String
    var status: String
    var exitStatus: ExitStatus { .dataError }
    var description: String {
        "tally_meter_event_deliveries row \(identifier) has the unknown status \"\(status)\": fix or delete the row, then re-run"
    }
}

extension MeterEventDeliveryStatus {
    /// The status stored as `text`, or a data error naming the row.
    static func stored(_ text: String, identifier: String) throws -> MeterEventDeliveryStatus {
        guard let status = MeterEventDeliveryStatus(rawValue: text) else {
            throw StoredDeliveryInvalid(identifier: identifier, status: text)
        }
        return status
    }
}
