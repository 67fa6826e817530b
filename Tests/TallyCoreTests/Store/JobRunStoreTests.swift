import Foundation
import Testing
import TallyCore
import TallyTestKit

@Suite("Job run history")
struct JobRunStoreTests {
    let start = Date(timeIntervalSince1970: 1_767_225_600)

    @Test("a finished run reads back with its outcome, newest run first", arguments: StoreBackendUnderTest.all)
    func roundTrip(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            // Given a finished run and a later one still running
            let first = try await store.startRun(job: "tally-reconcile", startedAt: start, arguments: "--days 3", dryRun: true)
            let outcome = JobRunOutcome(
                finishedAt: start.addingTimeInterval(42), status: .needsHuman, exitCode: 1,
                itemsProcessed: 120, itemsFailed: 3, summary: "3 discrepancies need a human"
            )
            try await store.finishRun(id: first, outcome: outcome)
            let second = try await store.startRun(job: "tally-reconcile", startedAt: start.addingTimeInterval(3_600), arguments: "", dryRun: false)
            _ = try await store.startRun(job: "tally-retry", startedAt: start, arguments: "", dryRun: false)

            // When reading the history
            let runs = try await store.recentRuns(job: "tally-reconcile", limit: 10)

            // Then the newest comes first, the finished one carries its outcome
            #expect(runs.map(\.id) == [second, first])
            #expect(runs[0].status == .running)
            #expect(runs[0].outcome == nil)
            #expect(runs[1] == JobRunRecord(id: first, job: "tally-reconcile", startedAt: start, arguments: "--days 3", dryRun: true, outcome: outcome, status: .needsHuman))
            #expect(try await store.recentRuns(job: "tally-reconcile", limit: 1).map(\.id) == [second])
        }
    }

    @Test("finishing a run that does not exist is a data error", arguments: StoreBackendUnderTest.all)
    func finishingUnknownRun(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            let outcome = JobRunOutcome(finishedAt: start, status: .succeeded, exitCode: 0, itemsProcessed: 0, itemsFailed: 0, summary: "")
            let error = try await #require(throws: StoredRecordMissing.self) { try await store.finishRun(id: 9_999, outcome: outcome) }
            #expect(error.exitStatus == .dataError)
        }
    }
}
