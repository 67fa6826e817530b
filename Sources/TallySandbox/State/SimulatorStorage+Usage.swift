import Foundation

/// Meter events, adjustments and summaries.
extension SimulatorStorage {
    /// Stripe rejects timestamps more than 35 days in the past or more than 5 minutes in the future.
    static let maximumEventAge: Int64 = 35 * 86_400
    static let maximumEventLead: Int64 = 5 * 60
    /// Adjustments may cancel an event only within 24 hours of Stripe receiving it.
    static let adjustmentWindow: Int64 = 24 * 3600

    mutating func ingestMeterEvent(eventName: String, payload: [String: String], identifier: String?,
                                   timestamp: Int64?, now: Int64) throws(StripeAPIError) -> JSONValue {
        guard let meter = activeMeter(eventName: eventName) else {
            throw .invalid("No active meter was found for event_name '\(eventName)'.", param: "event_name",
                           code: "resource_missing")
        }
        guard let customer = payload[meter.customerPayloadKey], !customer.isEmpty else {
            throw .missing("payload[\(meter.customerPayloadKey)]")
        }
        let value: Int64
        if let text = payload[meter.valuePayloadKey] {
            guard let parsed = Int64(text), parsed >= 0 else {
                throw .invalid("Invalid value '\(text)' for payload[\(meter.valuePayloadKey)]: it must be a whole number.",
                               param: "payload[\(meter.valuePayloadKey)]")
            }
            value = parsed
        } else if meter.formula == "count" {
            value = 1
        } else {
            throw .missing("payload[\(meter.valuePayloadKey)]")
        }
        let identifier = identifier ?? ids.next("mev")
        guard identifier.count <= 100 else {
            throw .invalid("identifier must be at most 100 characters.", param: "identifier")
        }
        let timestamp = timestamp ?? now
        guard timestamp >= now - Self.maximumEventAge else {
            throw .invalid("Timestamp \(timestamp) cannot be more than 35 days in past of the current time.",
                           param: "timestamp")
        }
        guard timestamp <= now + Self.maximumEventLead else {
            throw .invalid("Timestamp \(timestamp) cannot be more than 5 minutes in future of the current time.",
                           param: "timestamp")
        }
        // Identifiers are unique within a rolling window (24 h by default); later re-sends count again.
        if let previous = identifiers[identifier], Double(now - previous.receivedAt) < identifierWindow {
            throw StripeAPIError(status: 400, code: "duplicate_meter_event",
                                 message: "An event already exists with identifier \(identifier).",
                                 param: "identifier", shouldRetry: false)
        }
        identifiers[identifier] = IdentifierReceipt(meter: meter.id, eventName: eventName, customer: customer,
                                                    timestamp: timestamp, receivedAt: now, value: value)
        usage.insert(meter: meter.id, customer: customer, point: .init(
            timestamp: timestamp, value: value, receivedAt: now, identifier: identifier, cancelled: false))
        let event = SimulatedMeterEvent(identifier: identifier, eventName: eventName, customer: customer,
                                        value: value, timestamp: timestamp, receivedAt: now)
        return render(event, meter: meter)
    }

    /// Bulk seeding: no timestamp rules, duplicates within the window skipped; returns how many were stored.
    mutating func appendMeterEvents(_ events: [SimulatedMeterEvent]) -> Int {
        var meterByName: [String: SimulatedMeter] = [:]
        var batch: [(meter: String, customer: String, point: MeterUsageIndex.Point)] = []
        batch.reserveCapacity(events.count)
        for event in events {
            let meter = meterByName[event.eventName] ?? activeMeter(eventName: event.eventName)
            guard let meter else { continue }
            meterByName[event.eventName] = meter
            if let previous = identifiers[event.identifier],
               Double(event.receivedAt - previous.receivedAt) < identifierWindow { continue }
            identifiers[event.identifier] = IdentifierReceipt(
                meter: meter.id, eventName: event.eventName, customer: event.customer, timestamp: event.timestamp,
                receivedAt: event.receivedAt, value: event.value)
            batch.append((meter.id, event.customer, .init(timestamp: event.timestamp, value: event.value,
                                                          receivedAt: event.receivedAt, identifier: event.identifier,
                                                          cancelled: event.cancelled)))
        }
        usage.insertMany(batch)
        return batch.count
    }

    mutating func cancelMeterEvent(eventName: String, identifier: String,
                                   now: Int64) throws(StripeAPIError) -> JSONValue {
        guard let receipt = identifiers[identifier], receipt.eventName == eventName else {
            throw .invalid("No meter event with identifier '\(identifier)' was found for event_name '\(eventName)'.",
                           param: "cancel[identifier]", code: "resource_missing")
        }
        guard now - receipt.receivedAt <= Self.adjustmentWindow else {
            throw .invalid("Meter event '\(identifier)' can no longer be cancelled: adjustments are only accepted within 24 hours of the event being received.",
                           param: "cancel[identifier]")
        }
        guard usage.cancel(meter: receipt.meter, customer: receipt.customer, timestamp: receipt.timestamp,
                           identifier: identifier) else {
            throw .invalid("Meter event '\(identifier)' is already cancelled.", param: "cancel[identifier]")
        }
        return renderAdjustment(eventName: eventName, identifier: identifier)
    }

    /// Summaries of one customer's usage on one meter, oldest window first. A pre-aggregated meter
    /// (`event_time_window`) counts only each window's most recently received event, here as in billing.
    func summaries(meter: SimulatedMeter, customer: String, start: Int64, end: Int64, window: String?,
                   now: Int64) -> [JSONValue] {
        let visibleAt = now - Int64(aggregationDelay.rounded(.up))
        let step: Int64? = switch window {
        case "hour": 3600
        case "day": 86_400
        default: nil
        }
        func value(_ from: Int64, _ to: Int64) -> Int64? {
            usage.aggregate(meter: meter.id, customer: customer, from: from, to: to, formula: meter.formula,
                            eventTimeWindow: meter.eventTimeWindow, visibleAt: visibleAt)
        }
        guard let step else {
            // Without a grouping window one summary covers the whole range, zero when there was no usage.
            return [renderSummary(meter: meter, customer: customer, start: start, end: end, value: value(start, end) ?? 0)]
        }
        // With a grouping window, only windows that received usage are returned.
        var result: [JSONValue] = []
        var windowStart = start
        while windowStart < end {
            let windowEnd = min(windowStart + step, end)
            if let value = value(windowStart, windowEnd) {
                result.append(renderSummary(meter: meter, customer: customer, start: windowStart, end: windowEnd,
                                            value: value))
            }
            windowStart = windowEnd
        }
        return result
    }

    /// Usage of `customer` on `meter` over a billing period, by the meter's formula and event time window.
    func usageForBilling(meter: String, customer: String, start: Int64, end: Int64) -> Int64 {
        guard let meter = meters[meter] else { return 0 }
        return usage.aggregate(meter: meter.id, customer: customer, from: start, to: end, formula: meter.formula,
                               eventTimeWindow: meter.eventTimeWindow, visibleAt: .max) ?? 0
    }

    /// Every event of `customer` on `meter` (cancelled ones flagged), oldest first.
    func meterEvents(meter: SimulatedMeter, customer: String) -> [SimulatedMeterEvent] {
        usage.points(meter: meter.id, customer: customer, from: .min, to: .max).map {
            SimulatedMeterEvent(identifier: $0.identifier, eventName: meter.eventName, customer: customer,
                                value: $0.value, timestamp: $0.timestamp, receivedAt: $0.receivedAt,
                                cancelled: $0.cancelled)
        }
    }

    private func renderSummary(meter: SimulatedMeter, customer: String, start: Int64, end: Int64,
                               value: Int64) -> JSONValue {
        .object([
            ("id", .string("mtrusg_\(Self.summaryKey(meter.id, customer, start))")),
            ("object", .string("billing.meter_event_summary")), ("aggregated_value", .int(value)),
            ("end_time", .int(end)), ("livemode", .bool(livemode)), ("meter", .string(meter.id)),
            ("start_time", .int(start)),
        ])
    }

    /// A stable id per meter, customer and window start, so pagination cursors survive new usage.
    private static func summaryKey(_ meter: String, _ customer: String, _ start: Int64) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(meter)|\(customer)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 36) + "_" + String(start)
    }
}
