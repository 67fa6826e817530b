/// Stripe JSON for events and list envelopes.
extension SimulatorStorage {
    func render(_ event: SimulatedEvent) -> JSONValue {
        .object([
            ("id", .string(event.id)), ("object", .string("event")), ("api_version", .string("2026-07-29.dahlia")),
            ("created", .int(event.created)), ("data", .object([("object", event.object)] + (event.previousAttributes.map { [("previous_attributes", $0)] } ?? []))),
            ("livemode", .bool(livemode)), ("pending_webhooks", .int(event.deliverySucceeded ? 0 : 1)),
            ("request", .object([("id", .optional(event.requestID)), ("idempotency_key", .optional(event.idempotencyKey))])),
            ("type", .string(event.type)),
        ])
    }

    /// A Stripe list envelope.
    static func list(_ data: [JSONValue], hasMore: Bool, url: String) -> JSONValue {
        .object([("object", .string("list")), ("data", .array(data)), ("has_more", .bool(hasMore)), ("url", .string(url))])
    }
}
