import Foundation
import Testing
import TallyCore
import TallyTestKit

@Suite("API call log")
struct APICallRecorderTests {
    @Test("recorded calls read back per run, in order, field for field", arguments: StoreBackendUnderTest.all)
    func recordsCalls(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            // Given a run and three calls, one of them outside any run
            let start = Date(timeIntervalSince1970: 1_767_225_600)
            let runID = try await store.startRun(job: "tally-retry", startedAt: start, arguments: "", dryRun: false)
            let calls = [
                APICallRecord(startedAt: start, method: "POST", path: "/v1/billing/meter_events", status: 429, latencyMilliseconds: 12.5, requestID: "req_1", rateLimited: true, errorCode: "rate_limit", attempt: 1, runID: runID),
                APICallRecord(startedAt: start.addingTimeInterval(1), method: "POST", path: "/v1/billing/meter_events", status: 200, latencyMilliseconds: 80.25, requestID: "req_2", rateLimited: false, errorCode: nil, attempt: 2, runID: runID),
                APICallRecord(startedAt: start.addingTimeInterval(2), method: "GET", path: "/v1/billing/meters", status: 0, latencyMilliseconds: 30_000, requestID: nil, rateLimited: false, errorCode: "timeout", attempt: 1, runID: nil),
            ]

            // When they are recorded
            try await store.record(calls)

            // Then they read back unchanged
            #expect(try await store.apiCalls(runID: runID) == Array(calls.prefix(2)))
            #expect(try await store.apiCalls(runID: nil) == calls)
        }
    }

    @Test("a batch larger than one INSERT is stored whole", arguments: StoreBackendUnderTest.all)
    func recordsLargeBatch(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            let start = Date(timeIntervalSince1970: 1_767_225_600)
            let calls = (0..<2_500).map {
                APICallRecord(startedAt: start.addingTimeInterval(Double($0)), method: "GET", path: "/v1/invoices", status: 200, latencyMilliseconds: 5, requestID: "req_\($0)", rateLimited: false, errorCode: nil, attempt: 1, runID: nil)
            }
            try await store.record(calls)
            let stored = try await store.apiCalls(runID: nil)
            #expect(stored.count == 2_500)
            #expect(stored.last?.requestID == "req_2499")
        }
    }
}
