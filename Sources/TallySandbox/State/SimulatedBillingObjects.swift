/// A payment method attached to a customer (`payment_method.attached|detached`).
public struct SimulatedPaymentMethod: Sendable {
    public var id: String
    /// Nil once detached.
    public var customer: String?
    public var brand: String
    public var last4: String
    public var created: Int64
}

/// A v2 event (`GET /v2/core/events`): a meter error report Stripe raises for meter events it accepted and
/// later found invalid.
public struct SimulatedV2Event: Sendable {
    public var id: String
    /// `v1.billing.meter.error_report_triggered` or `v1.billing.meter.no_meter_found`.
    public var type: String
    public var created: Int64
    public var meter: String?
    public var validationStart: Int64
    public var validationEnd: Int64
    public var errors: [MeterError]

    /// One error code of a report, with its count and the identifiers of sample events.
    public struct MeterError: Sendable {
        public var code: String
        public var count: Int64
        public var sampleIdentifiers: [String]

        public init(code: String, count: Int64, sampleIdentifiers: [String]) {
            self.code = code
            self.count = count
            self.sampleIdentifiers = sampleIdentifiers
        }
    }
}
