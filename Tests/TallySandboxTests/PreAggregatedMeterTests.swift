import Foundation
import Testing
import TallySandbox

/// Meters with `event_time_window` (`hour` or `day`): Stripe keeps only the most recent event *received*
/// in each UTC-aligned window of event timestamps (docs.stripe.com, "Record usage for billing", Event
/// ingestion), then applies the formula to the survivors.
@Suite("Pre-aggregated meters (event_time_window)")
struct PreAggregatedMeterTests {
    /// 2025-12-31T22:00:00Z: two hours before the simulator's start, on the previous UTC day.
    let base = sandboxStart - 2 * 3600

    private func value(_ client: SandboxHTTPClient, meter: String, start: Int64, end: Int64,
                       window: String? = nil) async throws -> [Int?] {
        var query = [("customer", "cus_a"), ("start_time", String(start)), ("end_time", String(end))]
        if let window { query.append(("value_grouping_window", window)) }
        let response = try await client.get("/v1/billing/meters/\(meter)/event_summaries", query)
        #expect(response.status == 200, "\(response.body)")
        return response.data.reversed().map { $0["aggregated_value"] as? Int }
    }

    private func send(_ client: SandboxHTTPClient, _ value: Int, at timestamp: Int64, id: String? = nil) async throws {
        let response = try await sendMeterEvent(client, customer: "cus_a", value: String(value), identifier: id,
                                                timestamp: timestamp)
        #expect(response.status == 200, "\(response.body)")
    }

    @Test("creates and renders a meter with event_time_window; refuses other windows")
    func createsAndRenders() async throws {
        try await withSandbox { simulator, client in
            for window in ["hour", "day"] {
                let created = try await client.post("/v1/billing/meters", [
                    ("display_name", "Tokens"), ("event_name", "tokens_\(window)"), ("event_time_window", window),
                ])
                #expect(created.json["event_time_window"] as? String == window)
                let read = try await client.get("/v1/billing/meters/\(created.json["id"] as? String ?? "")")
                #expect(read.json["event_time_window"] as? String == window)
            }
            let raw = try await client.post("/v1/billing/meters", [("display_name", "Raw"), ("event_name", "raw")])
            #expect(raw.json.keys.contains("event_time_window"))
            #expect(raw.json["event_time_window"] is NSNull)
            let week = try await client.post("/v1/billing/meters", [
                ("display_name", "Weekly"), ("event_name", "weekly"), ("event_time_window", "week"),
            ])
            #expect(week.status == 400)
            #expect(week.error["param"] as? String == "event_time_window")
            // and seeding without HTTP takes the window too
            let seeded = try simulator.state.createMeter(displayName: "Seeded", eventName: "seeded", eventTimeWindow: "day")
            #expect(seeded.eventTimeWindow == "day")
            let listed = try await client.get("/v1/billing/meters/\(seeded.id)")
            #expect(listed.json["event_time_window"] as? String == "day")
        }
    }

    @Test("sum: a newer event in the same hour overwrites the earlier one, other hours add up")
    func sumOverwritesWithinHour() async throws {
        try await withSandbox { _, client in
            let meter = try await createMeter(client, formula: "sum", eventTimeWindow: "hour")
            try await send(client, 10, at: base + 600)       // 22:10, overwritten
            try await send(client, 25, at: base + 3000)      // 22:50, survives in 22:00-23:00
            try await send(client, 7, at: base + 3600 + 60)  // 23:01, alone in its hour
            #expect(try await value(client, meter: meter, start: base, end: base + 7200) == [32])
            #expect(try await value(client, meter: meter, start: base, end: base + 7200, window: "hour") == [25, 7])
        }
    }

    @Test("the survivor is the last event received, not the one with the latest timestamp")
    func receivedOrderWins() async throws {
        try await withSandbox { simulator, client in
            let meter = try await createMeter(client, formula: "sum", eventTimeWindow: "hour")
            try await send(client, 40, at: base + 3000)  // 22:50, received first
            simulator.clock.advance(by: 5)
            try await send(client, 15, at: base + 60)    // 22:01, received later: it overwrites
            #expect(try await value(client, meter: meter, start: base, end: base + 3600) == [15])
            // counted where its own timestamp lies: summaries of adjacent ranges still add up
            #expect(try await value(client, meter: meter, start: base, end: base + 1800) == [15])
            #expect(try await value(client, meter: meter, start: base + 1800, end: base + 3600) == [0])
        }
    }

    @Test("two events received in the same second: the later arrival survives")
    func sameSecondArrivalOrder() async throws {
        try await withSandbox { _, client in
            let meter = try await createMeter(client, formula: "sum", eventTimeWindow: "hour")
            try await send(client, 3, at: base + 100)
            try await send(client, 9, at: base + 100)
            #expect(try await value(client, meter: meter, start: base, end: base + 3600) == [9])
        }
    }

    @Test("day windows are aligned to 00:00 UTC: 23:59:59 and 00:00:00 are different windows")
    func dayWindowsAreUTCAligned() async throws {
        try await withSandbox { _, client in
            let meter = try await createMeter(client, formula: "sum", eventTimeWindow: "day")
            try await send(client, 5, at: sandboxStart - 7200)  // 22:00 the day before
            try await send(client, 8, at: sandboxStart - 1)     // 23:59:59, overwrites 5
            try await send(client, 4, at: sandboxStart)         // 00:00:00, a new day
            let start = sandboxStart - 86_400
            #expect(try await value(client, meter: meter, start: start, end: sandboxStart + 86_400, window: "day") == [8, 4])
            #expect(try await value(client, meter: meter, start: start, end: sandboxStart + 86_400) == [12])
            // hourly grouping of a day-window meter shows each day's survivor in its own hour
            #expect(try await value(client, meter: meter, start: sandboxStart - 7200, end: sandboxStart + 3600,
                                    window: "hour") == [8, 4])
        }
    }

    @Test("count counts the windows that have a surviving event")
    func countCountsWindows() async throws {
        try await withSandbox { _, client in
            let meter = try await createMeter(client, formula: "count", eventTimeWindow: "hour")
            for offset: Int64 in [60, 600, 1200, 3600 + 60, 3600 + 120] { try await send(client, 1, at: base + offset) }
            #expect(try await value(client, meter: meter, start: base, end: base + 7200) == [2])
            #expect(try await value(client, meter: meter, start: base, end: base + 7200, window: "hour") == [1, 1])
        }
    }

    @Test("last takes the surviving value of the latest window")
    func lastOfLatestWindow() async throws {
        try await withSandbox { simulator, client in
            let meter = try await createMeter(client, formula: "last", eventTimeWindow: "hour")
            try await send(client, 50, at: base + 100)
            try await send(client, 70, at: base + 3600 + 3000)  // 23:50: latest window
            simulator.clock.advance(by: 2)
            try await send(client, 20, at: base + 3600 + 10)    // 23:00:10, received last: the 23:00 survivor
            #expect(try await value(client, meter: meter, start: base, end: base + 7200) == [20])
            #expect(try await value(client, meter: meter, start: base, end: base + 7200, window: "hour") == [50, 20])
        }
    }

    @Test("a cancelled event is removed: the newest remaining event of its window counts")
    func cancelledEventsDoNotSurvive() async throws {
        try await withSandbox { _, client in
            let meter = try await createMeter(client, formula: "sum", eventTimeWindow: "hour")
            try await send(client, 10, at: base + 60, id: "first")
            try await send(client, 30, at: base + 120, id: "second")
            #expect(try await value(client, meter: meter, start: base, end: base + 3600) == [30])
            let cancel = try await client.post("/v1/billing/meter_event_adjustments", [
                ("event_name", "api_tokens"), ("type", "cancel"), ("cancel[identifier]", "second"),
            ])
            #expect(cancel.status == 200)
            #expect(try await value(client, meter: meter, start: base, end: base + 3600) == [10])
            _ = try await client.post("/v1/billing/meter_event_adjustments", [
                ("event_name", "api_tokens"), ("type", "cancel"), ("cancel[identifier]", "first"),
            ])
            #expect(try await value(client, meter: meter, start: base, end: base + 3600) == [0])
            #expect(try await value(client, meter: meter, start: base, end: base + 3600, window: "hour") == [])
        }
    }

    @Test("a newer event not yet aggregated leaves the previous survivor in the summaries")
    func aggregationDelay() async throws {
        try await withSandbox(SimulatorConfiguration(aggregationDelay: 300)) { simulator, client in
            let meter = try await createMeter(client, formula: "sum", eventTimeWindow: "hour")
            try await send(client, 10, at: base + 60)
            simulator.clock.advance(by: 300)
            try await send(client, 35, at: base + 120)
            #expect(try await value(client, meter: meter, start: base, end: base + 3600) == [10])
            simulator.clock.advance(by: 300)
            #expect(try await value(client, meter: meter, start: base, end: base + 3600) == [35])
        }
    }

    @Test("invoices bill the surviving events only")
    func billing() async throws {
        try await withSandbox { simulator, client in
            let meter = try simulator.state.createMeter(displayName: "Tokens", eventName: "api_tokens",
                                                        eventTimeWindow: "hour")
            let product = simulator.state.createProduct(name: "Tokens")
            let price = try simulator.state.createPrice(product: product.id, unitAmount: 2, usageType: .metered,
                                                        meter: meter.id)
            let customer = simulator.state.createCustomer(name: "Acme")
            try simulator.state.createSubscription(customer: customer.id, items: [(price: price.id, quantity: nil)])
            // two events in the first hour of the period (the later received survives), one in the second
            simulator.clock.advance(by: 2 * 3600)
            for (value, offset) in [(100, 60), (300, 1800), (50, 3600 + 60)] {
                let sent = try await sendMeterEvent(client, customer: customer.id, value: String(value),
                                                    timestamp: sandboxStart + Int64(offset))
                #expect(sent.status == 200)
                simulator.clock.advance(by: 1)
            }
            simulator.clock.advance(by: 32 * 86_400)
            let line = simulator.state.invoices.first?.lines.first
            #expect(line?.quantity == 350)
            #expect(line?.amount == 700)
        }
    }

    @Test("raw last: the latest timestamp wins over the latest received; at one instant the later received")
    func rawLastByTimestamp() async throws {
        try await withSandbox { simulator, client in
            let meter = try await createMeter(client, formula: "last")
            try await send(client, 8, at: base + 3000)   // latest timestamp, received first
            simulator.clock.advance(by: 1)
            try await send(client, 2, at: base + 60)     // older timestamp, received later
            #expect(try await value(client, meter: meter, start: base, end: base + 3600) == [8])
            simulator.clock.advance(by: 1)
            try await send(client, 6, at: base + 3000)   // same instant as 8, received later
            #expect(try await value(client, meter: meter, start: base, end: base + 3600) == [6])
            // and bulk-seeded events follow the same rule whatever order they arrive in
            let seeded = try simulator.state.createMeter(displayName: "Gauge", eventName: "gauge", formula: "last")
            simulator.state.appendMeterEvents([
                SimulatedMeterEvent(identifier: "g1", eventName: "gauge", customer: "cus_b", value: 4, timestamp: base + 500,
                                    receivedAt: base + 900),
                SimulatedMeterEvent(identifier: "g2", eventName: "gauge", customer: "cus_b", value: 9, timestamp: base + 500,
                                    receivedAt: base + 600),
            ])
            #expect(simulator.state.aggregatedUsage(meterID: seeded.id, customer: "cus_b",
                                                    start: Date(timeIntervalSince1970: Double(base)),
                                                    end: Date(timeIntervalSince1970: Double(base + 3600))) == 4)
        }
    }
}
