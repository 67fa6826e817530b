import Foundation

/// Stripe JSON for payment methods and v2 events.
extension SimulatorStorage {
    func render(_ method: SimulatedPaymentMethod) -> JSONValue {
        .object([
            ("id", .string(method.id)), ("object", .string("payment_method")), ("allow_redisplay", .string("unspecified")),
            ("billing_details", .object([("address", .null), ("email", .null), ("name", .null), ("phone", .null)])),
            ("card", .object([
                ("brand", .string(method.brand)), ("country", .string("US")), ("exp_month", .int(12)), ("exp_year", .int(2030)),
                ("funding", .string("credit")), ("last4", .string(method.last4)),
            ])),
            ("created", .int(method.created)), ("customer", .optional(method.customer)), ("livemode", .bool(livemode)),
            ("metadata", .object([])), ("type", .string("card")),
        ])
    }

    /// A v2 event with its `data` (Stripe includes it when the event is fetched from `/v2/core/events`).
    func render(_ event: SimulatedV2Event) -> JSONValue {
        let errorCount = event.errors.reduce(Int64(0)) { $0 + $1.count }
        let types: [JSONValue] = event.errors.map { error in
            .object([
                ("code", .string(error.code)), ("error_count", .int(error.count)),
                ("sample_errors", .array(error.sampleIdentifiers.map { identifier in
                    .object([("error_message", .string(Self.meterErrorMessage(error.code))),
                             ("request", .object([("identifier", .string(identifier))]))])
                })),
            ])
        }
        return .object([
            ("id", .string(event.id)), ("object", .string("v2.core.event")), ("type", .string(event.type)),
            ("created", .string(Self.rfc3339(event.created))), ("context", .null), ("livemode", .bool(livemode)),
            ("reason", .null),
            ("related_object", event.meter.map { meter in
                .object([("id", .string(meter)), ("type", .string("billing.meter")), ("url", .string("/v1/billing/meters/\(meter)"))])
            } ?? .null),
            ("data", .object([
                ("developer_message_summary", .string("There are \(errorCount) invalid meter events in the last window.")),
                ("reason", .object([("error_count", .int(errorCount)), ("error_types", .array(types))])),
                ("validation_end", .string(Self.rfc3339(event.validationEnd))),
                ("validation_start", .string(Self.rfc3339(event.validationStart))),
            ])),
        ])
    }

    static func meterErrorMessage(_ code: String) -> String {
        switch code {
        case "meter_event_customer_not_found": "No customer found for the customer mapping in the payload."
        case "no_meter": "No active meter found for the event name."
        case "archived_meter": "The meter for this event name is inactive."
        default: "The meter event is invalid (\(code))."
        }
    }

    /// RFC 3339 with milliseconds, as v2 writes times.
    static func rfc3339(_ seconds: Int64) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
