import Foundation
import Testing
@testable import TallyCore
import TallyTestKit

/// A job stopped by a signal cancels the tasks it has in flight (`withThrowingTaskGroup` cancels the sends of
/// tally-retry), and the run is still recorded afterwards on the same connection.
@Suite("A cancelled transaction leaves the connection usable")
struct TransactionCancellationTests {
    @Test("a transaction whose task is cancelled mid-way is rolled back, and the next write works", arguments: StoreBackendUnderTest.all)
    func cancelledMidTransaction(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            let sql = try #require(store as? SQLStore).sql
            // Given a transaction that has written a row when its task is cancelled
            let cancelled = Task {
                try await sql.transaction { tx in
                    try await tx.execute("""
                        INSERT INTO tally_job_runs (job, started_at, arguments, dry_run, status)
                        VALUES ('cancelled', 0, '', \(false), 'running')
                        """)
                    withUnsafeCurrentTask { $0?.cancel() }
                    try await tx.execute("""
                        INSERT INTO tally_job_runs (job, started_at, arguments, dry_run, status)
                        VALUES ('cancelled', 1, '', \(false), 'running')
                        """)
                }
            }
            _ = await cancelled.result

            // When the run is recorded afterwards on the same store
            let runID = try await store.startRun(job: "after", startedAt: Date(timeIntervalSince1970: 2), arguments: "", dryRun: false)

            // Then that write lands, and the cancelled transaction left all of its rows or none (SQLite stops a
            // cancelled task's statements; postgres-nio lets them finish)
            #expect(try await store.recentRuns(job: "after", limit: 5).map(\.id) == [runID])
            #expect([0, 2].contains(try await store.recentRuns(job: "cancelled", limit: 5).count))
        }
    }
}
