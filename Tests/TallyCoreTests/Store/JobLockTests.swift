import Foundation
import Logging
import Testing
import TallyCore
import TallyTestKit

@Suite("Job locks")
struct JobLockTests {
    @Test("a second host cannot take a held job lock until it is released", arguments: StoreBackendUnderTest.all)
    func contention(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { firstHost, location in
            // Given a second store on the same database, as a second cron host would open it
            let secondHost = try await openStore(StoreConfiguration(location: location), logger: Logger(label: "second-host"))

            // When the first host holds the reconcile lock
            let held = try #require(try await firstHost.tryLock(job: "tally-reconcile"))

            // Then the second host is refused that job but may run another
            #expect(try await secondHost.tryLock(job: "tally-reconcile") == nil)
            let other = try #require(try await secondHost.tryLock(job: "tally-report"))
            await other.release()

            // And once released, the second host gets it
            await held.release()
            await held.release()
            let taken = try #require(try await secondHost.tryLock(job: "tally-reconcile"))
            #expect(try await firstHost.tryLock(job: "tally-reconcile") == nil)
            await taken.release()
            try await secondHost.close()
        }
    }

    @Test("an in-memory SQLite store locks within the process")
    func inMemoryLock() async throws {
        let store = try await openStore(StoreConfiguration(location: .sqlite(.memory)), logger: Logger(label: "test"))
        let held = try #require(try await store.tryLock(job: "tally-alerts"))
        #expect(try await store.tryLock(job: "tally-alerts") == nil)
        await held.release()
        let again = try #require(try await store.tryLock(job: "tally-alerts"))
        await again.release()
        try await store.close()
    }
}
