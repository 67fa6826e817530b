import Foundation
import Testing
import TallySandbox

@Suite("Meter event summaries")
struct SummaryTests {
    private func summaries(_ client: SandboxHTTPClient, meter: String, start: Int64, end: Int64,
                           window: String? = nil, extra: [(String, String)] = []) async throws -> SandboxResponse {
        var query = [("customer", "cus_a"), ("start_time", String(start)), ("end_time", String(end))]
        if let window { query.append(("value_grouping_window", window)) }
        return try await client.get("/v1/billing/meters/\(meter)/event_summaries", query + extra)
    }

    /// Three events: 10 at 00:10, 20 at 00:50, 5 at 01:30 (relative to one hour before the start time).
    private func seed(_ client: SandboxHTTPClient, formula: String) async throws -> String {
        let meter = try await createMeter(client, formula: formula)
        let base = sandboxStart - 2 * 3600
        for (offset, value) in [(600, "10"), (3000, "20"), (5400, "5")] {
            let response = try await sendMeterEvent(client, customer: "cus_a", value: value,
                                                    timestamp: base + Int64(offset))
            #expect(response.status == 200)
        }
        return meter
    }

    @Test("aggregates by sum, count and last over the whole range")
    func formulas() async throws {
        for (formula, expected) in [("sum", 35), ("count", 3), ("last", 5)] {
            try await withSandbox { _, client in
                let meter = try await seed(client, formula: formula)
                let response = try await summaries(client, meter: meter, start: sandboxStart - 2 * 3600, end: sandboxStart)
                #expect(response.status == 200)
                #expect(response.data.count == 1)
                #expect(response.data.first?["aggregated_value"] as? Int == expected, "formula \(formula)")
                #expect(response.data.first?["object"] as? String == "billing.meter_event_summary")
                #expect((response.data.first?["id"] as? String)?.hasPrefix("mtrusg_") == true)
            }
        }
    }

    @Test("groups by hour, newest window first, and paginates")
    func hourlyGrouping() async throws {
        try await withSandbox { _, client in
            let meter = try await seed(client, formula: "sum")
            let start = sandboxStart - 2 * 3600
            let all = try await summaries(client, meter: meter, start: start, end: sandboxStart, window: "hour")
            #expect(all.data.map { $0["aggregated_value"] as? Int } == [5, 30])
            #expect(all.data.map { $0["start_time"] as? Int } == [Int(start + 3600), Int(start)])

            let first = try await summaries(client, meter: meter, start: start, end: sandboxStart, window: "hour",
                                            extra: [("limit", "1")])
            #expect(first.data.count == 1)
            #expect(first.json["has_more"] as? Bool == true)
            let cursor = first.data[0]["id"] as? String ?? ""
            let second = try await summaries(client, meter: meter, start: start, end: sandboxStart, window: "hour",
                                             extra: [("limit", "1"), ("starting_after", cursor)])
            #expect(second.data.map { $0["aggregated_value"] as? Int } == [30])
            #expect(second.json["has_more"] as? Bool == false)
        }
    }

    @Test("groups by day on 00:00 UTC bounds")
    func dailyGrouping() async throws {
        try await withSandbox { _, client in
            let meter = try await seed(client, formula: "sum")
            let response = try await summaries(client, meter: meter, start: sandboxStart - 86_400,
                                               end: sandboxStart + 86_400, window: "day")
            #expect(response.status == 200)
            #expect(response.data.map { $0["aggregated_value"] as? Int } == [35])
        }
    }

    @Test("rejects misaligned bounds and names the parameter")
    func alignmentErrors() async throws {
        try await withSandbox { _, client in
            let meter = try await createMeter(client)
            let minute = try await summaries(client, meter: meter, start: sandboxStart + 30, end: sandboxStart + 3600)
            #expect(minute.status == 400)
            #expect(minute.error["param"] as? String == "start_time")
            let hour = try await summaries(client, meter: meter, start: sandboxStart, end: sandboxStart + 1800,
                                           window: "hour")
            #expect(hour.status == 400)
            #expect(hour.error["param"] as? String == "end_time")
            let day = try await summaries(client, meter: meter, start: sandboxStart + 3600, end: sandboxStart + 86_400,
                                          window: "day")
            #expect(day.status == 400)
            #expect(day.error["param"] as? String == "start_time")
            let missing = try await client.get("/v1/billing/meters/\(meter)/event_summaries", [("customer", "cus_a")])
            #expect(missing.status == 400)
            #expect(missing.error["param"] as? String == "start_time")
        }
    }

    @Test("hides events until the aggregation delay has passed")
    func eventualConsistency() async throws {
        try await withSandbox(SimulatorConfiguration(aggregationDelay: 300)) { simulator, client in
            let meter = try await createMeter(client)
            _ = try await sendMeterEvent(client, customer: "cus_a", value: "9", timestamp: sandboxStart - 60)
            let early = try await summaries(client, meter: meter, start: sandboxStart - 3600, end: sandboxStart + 3600)
            #expect(early.data.first?["aggregated_value"] as? Int == 0)
            simulator.clock.advance(by: 300)
            let settled = try await summaries(client, meter: meter, start: sandboxStart - 3600, end: sandboxStart + 3600)
            #expect(settled.data.first?["aggregated_value"] as? Int == 9)
        }
    }
}
