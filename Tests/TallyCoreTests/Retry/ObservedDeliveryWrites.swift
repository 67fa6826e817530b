import Foundation
import Logging
import Synchronization
@testable import TallyCore

/// The SQL store over an executor that watches the writes to `tally_meter_event_deliveries`: it counts their
/// commits (a transaction, or a statement run on its own) and can fail the store of Stripe's answers, as a
/// run killed after its sends and before that write would leave them.
final class ObservedDeliveryWrites: Sendable {
    private let commits = Mutex(0)
    private let failAnswers = Mutex(false)

    /// Commits that wrote deliveries so far.
    var deliveryCommits: Int { commits.withLock { $0 } }

    /// From now on, every write of Stripe's answers (the upsert of outcomes) fails.
    func failAnswerWrites() { failAnswers.withLock { $0 = true } }

    /// `store` (an SQL store) with its executor observed; the same tables, the same connection.
    func observing(_ store: any TallyStore) throws -> any TallyStore {
        guard let sqlStore = store as? SQLStore else { throw ObservationUnavailable() }
        return SQLStore(database: ObservedDatabase(base: sqlStore.database, writes: self),
                        configuration: StoreConfiguration(usageQuery: UsageQuery.default(for: sqlStore.backend), tablePrefix: sqlStore.prefix),
                        logger: sqlStore.logger)
    }

    fileprivate func check(_ statement: SQLStatement) throws -> Bool {
        let text = statement.sql(for: .sqlite)
        guard text.contains("meter_event_deliveries"), !text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("SELECT") else {
            return false
        }
        if text.contains("DO UPDATE"), failAnswers.withLock({ $0 }) { throw AnswersLost() }
        return true
    }

    fileprivate func committed() { commits.withLock { $0 += 1 } }

    struct ObservationUnavailable: Error {}
    /// The error an observed answer write fails with: the process "died" before it.
    struct AnswersLost: Error {}
}

private struct ObservedDatabase: SQLDatabase {
    let base: any SQLDatabase
    let writes: ObservedDeliveryWrites
    var executor: any SQLExecutor { ObservedExecutor(base: base.executor, writes: writes, inTransaction: nil) }

    func tryLock(job: String) async throws -> (any JobLock)? { try await base.tryLock(job: job) }
    func columnNames(ofTable table: String) async throws -> Set<String> { try await base.columnNames(ofTable: table) }
    func tableNames() async throws -> Set<String> { try await base.tableNames() }
    func appliedMigrations() async throws -> [String] { try await base.appliedMigrations() }
    func close() async throws {}
    func withReaders<T: Sendable>(_ count: Int, _ body: @Sendable ([any SQLExecutor]) async throws -> T) async throws -> T? { nil }
}

private struct ObservedExecutor: SQLExecutor {
    let base: any SQLExecutor
    let writes: ObservedDeliveryWrites
    /// Inside a transaction: set when one of its statements wrote deliveries.
    let inTransaction: TouchFlag?
    var backend: StoreBackend { base.backend }

    init(base: any SQLExecutor, writes: ObservedDeliveryWrites, inTransaction: TouchFlag?) {
        self.base = base
        self.writes = writes
        self.inTransaction = inTransaction
    }

    func query(_ statement: SQLStatement) async throws -> [SQLRow] {
        let writesDeliveries = try writes.check(statement)
        let rows = try await base.query(statement)
        note(writesDeliveries)
        return rows
    }

    func execute(_ statement: SQLStatement) async throws {
        let writesDeliveries = try writes.check(statement)
        try await base.execute(statement)
        note(writesDeliveries)
    }

    func transaction<Result: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> Result) async throws -> Result {
        if inTransaction != nil { return try await body(self) }
        let touched = TouchFlag()
        let result = try await base.transaction { tx in
            try await body(ObservedExecutor(base: tx, writes: writes, inTransaction: touched))
        }
        if touched.value.withLock({ $0 }) { writes.committed() }
        return result
    }

    func statementProblem(_ error: any Error) -> String? { base.statementProblem(error) }

    private func note(_ writesDeliveries: Bool) {
        guard writesDeliveries else { return }
        if let inTransaction { inTransaction.value.withLock { $0 = true } } else { writes.committed() }
    }
}

/// Set when a transaction's statement wrote deliveries.
private final class TouchFlag: Sendable {
    let value = Mutex(false)
}
