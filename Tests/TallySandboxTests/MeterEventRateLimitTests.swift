import Foundation
import Testing
import TallySandbox

/// The simulator limits meter events like Stripe: a live key's meter events draw on a bucket of their own
/// (1,000/s by default), a test key's count toward the basic limit. Rates here are so low (0.001/s) that no
/// token comes back during a test: each outcome is decided by counting, never by timing.
@Suite("Simulator: a meter-event limit of its own, like Stripe's")
struct MeterEventRateLimitTests {
    static let liveKey = "sk_live_tallysimulator0000"

    @Test("live key: meter events spend their own bucket, not the general one")
    func liveMeterEventsHaveTheirOwnBucket() async throws {
        // Given a general bucket of 2 and a meter-event bucket of 3, neither refilling during the test
        let plan = FaultPlan(rateLimit: 0.001, rateLimitBurst: 2, meterEventRateLimit: 0.001, meterEventBurst: 3)
        try await withSandbox(SimulatorConfiguration(apiKeys: [Self.liveKey], faults: plan)) { _, sandbox in
            var client = sandbox
            client.apiKey = Self.liveKey
            // When the meter is created (one general call) and four meter events are sent
            _ = try await createMeter(client)
            var statuses: [Int] = []
            for index in 0..<4 {
                statuses.append(try await sendMeterEvent(client, customer: "cus_a", value: "1", identifier: "e\(index)").status)
            }
            // Then three went through and the fourth found the meter-event bucket empty
            #expect(statuses == [200, 200, 200, 429])
            // And the general bucket still had its second call, then was empty
            #expect(try await client.get("/v1/customers").status == 200)
            let refused = try await client.get("/v1/customers")
            #expect(refused.status == 429)
            #expect(refused.error["code"] as? String == "rate_limit")
        }
    }

    @Test("test key: meter events count toward the basic limit, and the live meter-event bucket does not apply")
    func testMeterEventsShareTheBasicLimit() async throws {
        // Given a general bucket of 3 and a meter-event bucket of 1
        let plan = FaultPlan(rateLimit: 0.001, rateLimitBurst: 3, meterEventRateLimit: 0.001, meterEventBurst: 1)
        try await withSandbox(SimulatorConfiguration(faults: plan)) { _, client in
            // When the meter is created and three meter events are sent with the default test key
            _ = try await createMeter(client)
            var statuses: [Int] = []
            for index in 0..<3 {
                statuses.append(try await sendMeterEvent(client, customer: "cus_a", value: "1", identifier: "e\(index)").status)
            }
            // Then two went through on the general bucket (past the meter-event bucket of 1), the third found it empty
            #expect(statuses == [200, 200, 429])
            #expect(try await client.get("/v1/customers").status == 429)
        }
    }

    @Test("the meter-event limit defaults to Stripe's live 1,000/s; JSON null switches it off")
    func defaultsAndJSON() throws {
        #expect(FaultPlan().meterEventRateLimit == 1_000)
        let decoder = JSONDecoder()
        #expect(try decoder.decode(FaultPlan.self, from: Data("{}".utf8)).meterEventRateLimit == 1_000)
        #expect(try decoder.decode(FaultPlan.self, from: Data(#"{"meterEventRateLimit": null}"#.utf8)).meterEventRateLimit == nil)
        let plan = try decoder.decode(FaultPlan.self, from: Data(#"{"rateLimit": 100, "rateLimitBurst": 50, "meterEventRateLimit": 300, "meterEventBurst": 30}"#.utf8))
        #expect(plan == FaultPlan(rateLimit: 100, rateLimitBurst: 50, meterEventRateLimit: 300, meterEventBurst: 30))
        // And a plan survives its own JSON, an unlimited meter-event bucket included
        let unlimited = FaultPlan(rateLimit: 25, meterEventRateLimit: nil)
        #expect(try decoder.decode(FaultPlan.self, from: JSONEncoder().encode(unlimited)) == unlimited)
        #expect(try decoder.decode(FaultPlan.self, from: JSONEncoder().encode(plan)) == plan)
    }
}
