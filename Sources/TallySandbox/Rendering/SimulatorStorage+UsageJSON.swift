/// Stripe JSON for meters, meter events and adjustments.
extension SimulatorStorage {
    func render(_ meter: SimulatedMeter) -> JSONValue {
        .object([
            ("id", .string(meter.id)), ("object", .string("billing.meter")), ("created", .int(meter.created)),
            ("customer_mapping", .object([("event_payload_key", .string(meter.customerPayloadKey)), ("type", .string("by_id"))])),
            ("default_aggregation", .object([("formula", .string(meter.formula))])),
            ("display_name", .string(meter.displayName)), ("event_name", .string(meter.eventName)),
            ("event_time_window", .optional(meter.eventTimeWindow)), ("livemode", .bool(livemode)),
            ("status", .string(meter.status)),
            ("status_transitions", .object([("deactivated_at", meter.status == "inactive" ? .int(meter.updated) : .null)])),
            ("updated", .int(meter.updated)),
            ("value_settings", .object([("event_payload_key", .string(meter.valuePayloadKey))])),
        ])
    }

    func render(_ event: SimulatedMeterEvent, meter: SimulatedMeter) -> JSONValue {
        .object([
            ("object", .string("billing.meter_event")), ("created", .int(event.receivedAt)),
            ("event_name", .string(event.eventName)), ("identifier", .string(event.identifier)),
            ("livemode", .bool(livemode)),
            ("payload", .object([(meter.customerPayloadKey, .string(event.customer)),
                                 (meter.valuePayloadKey, .string(String(event.value)))])),
            ("timestamp", .int(event.timestamp)),
        ])
    }

    func renderAdjustment(eventName: String, identifier: String) -> JSONValue {
        .object([
            ("object", .string("billing.meter_event_adjustment")),
            ("cancel", .object([("identifier", .string(identifier))])), ("event_name", .string(eventName)),
            ("livemode", .bool(livemode)), ("status", .string("complete")), ("type", .string("cancel")),
        ])
    }
}
