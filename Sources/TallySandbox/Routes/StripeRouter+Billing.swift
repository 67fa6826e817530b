/// Billing meters, meter events, adjustments and summaries (`/v1/billing/...`).
extension StripeRouter {
    func billing(_ resource: [String], _ storage: inout SimulatorStorage) throws(StripeAPIError) -> JSONValue {
        switch (request.method, resource.first, resource.count) {
        case ("POST", "meters", 1):
            let meter = try storage.createMeter(
                displayName: try parameters.required("display_name"), eventName: try parameters.required("event_name"),
                formula: parameters["default_aggregation[formula]"] ?? "sum",
                customerKey: parameters["customer_mapping[event_payload_key]"] ?? "stripe_customer_id",
                valueKey: parameters["value_settings[event_payload_key]"] ?? "value",
                eventTimeWindow: parameters["event_time_window"], now: now, origin: origin)
            return storage.render(meter)
        case ("GET", "meters", 1):
            let status = parameters["status"]
            let matching = storage.meters.newestFirst.filter { status == nil || $0.status == status }
            return try list(matching, id: \.id, url: "/v1/billing/meters", render: storage.render)
        case ("GET", "meters", 2):
            return storage.render(try meter(resource[1], storage))
        case ("POST", "meters", 3) where resource[2] == "deactivate" || resource[2] == "reactivate":
            return storage.render(try storage.setMeter(resource[1], active: resource[2] == "reactivate", now: now,
                                                       origin: origin))
        case ("GET", "meters", 3) where resource[2] == "event_summaries":
            return try summaries(meter: try meter(resource[1], storage), storage)
        case ("POST", "meter_events", 1):
            let payload = parameters.entries(under: "payload")
            return try storage.ingestMeterEvent(
                eventName: try parameters.required("event_name"), payload: payload,
                identifier: parameters["identifier"], timestamp: try parameters.integer("timestamp"), now: now)
        case ("POST", "meter_event_adjustments", 1):
            let type = parameters["type"] ?? "cancel"
            guard type == "cancel" else {
                throw .invalid("Invalid type: must be cancel", param: "type")
            }
            return try storage.cancelMeterEvent(eventName: try parameters.required("event_name"),
                                                identifier: try parameters.required("cancel[identifier]"), now: now)
        default: throw unrecognized
        }
    }

    private func meter(_ id: String, _ storage: SimulatorStorage) throws(StripeAPIError) -> SimulatedMeter {
        guard let meter = storage.meters[id] else { throw .noSuch("billing.meter", id) }
        return meter
    }

    /// Summaries are listed newest window first, like every Stripe list.
    private func summaries(meter: SimulatedMeter, _ storage: SimulatorStorage) throws(StripeAPIError) -> JSONValue {
        let customer = try parameters.required("customer")
        guard let start = try parameters.integer("start_time") else { throw .missing("start_time") }
        guard let end = try parameters.integer("end_time") else { throw .missing("end_time") }
        let window = parameters["value_grouping_window"]
        guard start < end else {
            throw .invalid("start_time must be before end_time.", param: "start_time")
        }
        let alignment: (seconds: Int64, words: String) = switch window {
        case nil: (60, "minute boundaries")
        case "hour": (3600, "hour boundaries when value_grouping_window is hour")
        case "day": (86_400, "day boundaries (00:00 UTC) when value_grouping_window is day")
        default: throw .invalid("Invalid value_grouping_window: must be one of day or hour",
                                param: "value_grouping_window")
        }
        for (name, value) in [("start_time", start), ("end_time", end)] where value % alignment.seconds != 0 {
            throw .invalid("\(name) must be aligned to \(alignment.words).", param: name)
        }
        let summaries = storage.summaries(meter: meter, customer: customer, start: start, end: end, window: window,
                                          now: now)
        return try list(summaries.reversed(), id: { $0["id"]?.stringValue ?? "" },
                        url: "/v1/billing/meters/\(meter.id)/event_summaries") { $0 }
    }
}

extension JSONValue {
    /// The string when this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }
}
