import CSQLite
import Foundation
import GRDB
import Logging
import Synchronization

/// A SQLite file (or a private in-memory database) through GRDB, for the SQL store.
///
/// GRDB's database access is synchronous; only its async `read`/`write` are used, which run on GRDB's
/// own dispatch queue, never on the cooperative pool.
final class SQLiteDatabase: SQLDatabase {
    let writer: DatabaseQueue
    let executor: any SQLExecutor
    let prefix: String
    let location: DatabaseLocation.SQLiteLocation
    let logger: Logger
    /// Jobs locked in this process, for `:memory:` databases that have no file to lock beside.
    let memoryLocks = Mutex<Set<String>>([])

    private init(writer: DatabaseQueue, location: DatabaseLocation.SQLiteLocation, configuration: StoreConfiguration, logger: Logger) {
        self.writer = writer
        self.executor = SQLiteExecutor(queue: writer, turns: SQLiteTurns())
        self.location = location
        self.prefix = configuration.tablePrefix
        self.logger = logger
    }

    /// Opens (creating if needed, unless `requiresAppDatabase`) the database and runs the migrations, one
    /// process at a time.
    ///
    /// A `DatabaseQueue`, not a pool: a pool switches the file to WAL mode for good, and the database is
    /// usually the app's, whose journal mode is the app's to choose. Reads and writes of one job run in
    /// turn on GRDB's own queue, never on the cooperative pool.
    static func open(_ location: DatabaseLocation.SQLiteLocation, configuration: StoreConfiguration, logger: Logger) async throws -> SQLiteDatabase {
        _ = memoryStatisticsOff
        var grdbConfiguration = Configuration()
        grdbConfiguration.label = "tally"
        // Another job or the app may be writing: wait for it rather than failing at once.
        grdbConfiguration.busyMode = .timeout(10)
        // A transaction spans several awaits (`SQLiteExecutor.transaction`), each its own GRDB access;
        // statements take turns, so no other access runs while one is open.
        grdbConfiguration.allowsUnsafeTransactions = true
        if configuration.requiresAppDatabase {
            try await checkAppDatabase(location, configuration: configuration, grdbConfiguration: grdbConfiguration)
        }
        let writer: DatabaseQueue
        do {
            switch location {
            case .memory:
                writer = try DatabaseQueue(configuration: grdbConfiguration)
            case .file(let path):
                writer = try DatabaseQueue(path: path, configuration: grdbConfiguration)
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            // Busy is another process at work, not a setting to fix.
            throw StoreBusy(database: "\(DatabaseLocation.sqlite(location))",
                            reason: "it stayed locked by another process for 10 s (\(Self.message(of: error)))")
        } catch {
            throw ConfigurationError(
                key: DatabaseLocation.settingKey,
                problem: "names a SQLite database that cannot be opened (\(DatabaseLocation.sqlite(location)): \(Self.message(of: error)))",
                fix: "check that the directory exists and this user may write there"
            )
        }
        let store = SQLiteDatabase(writer: writer, location: location, configuration: configuration, logger: logger)
        // Jobs started at once on a never-migrated database take turns; each finds the work done or does it.
        let migrationLock = try await SQLiteMigrationLock.acquire(location)
        do {
            try await store.migrate()
        } catch {
            await migrationLock?.release()
            throw error
        }
        await migrationLock?.release()
        logger.debug("opened store", metadata: ["backend": "sqlite", "database": "\(DatabaseLocation.sqlite(location))"])
        return store
    }

    private func migrate() async throws {
        var migrator = DatabaseMigrator()
        let prefix = self.prefix
        for migration in TallyMigration.all {
            // Immediate checks: only the rows these statements touch are checked. GRDB's default re-checks
            // every foreign key of the whole database afterwards, the app's tables included, and one orphan
            // row of the app's would stop every job for good.
            migrator.registerMigration(migration.identifier, foreignKeyChecks: .immediate) { db in
                for statement in migration.sqlite(prefix) {
                    try db.execute(sql: statement)
                }
            }
        }
        let writer = self.writer
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            migrator.asyncMigrate(writer) { result in
                continuation.resume(with: result.map { _ in () })
            }
        }
    }

    func columnNames(ofTable table: String) async throws -> Set<String> {
        try await writer.read { db in
            Set(try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table])
                .map { ($0["name"] as String).lowercased() })
        }
    }

    func close() async throws {
        try writer.close()
    }

    func tableNames() async throws -> Set<String> {
        try await writer.read { db in
            Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
        }
    }

    func appliedMigrations() async throws -> [String] {
        try await writer.read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
        }
    }

    /// Set once, before the process's first connection: with SQLite's memory statistics on, the read-only
    /// connections `withReaders` opens wait on one process-wide mutex at every allocation.
    private static let memoryStatisticsOff: Bool = tally_sqlite_disable_memory_statistics() == SQLITE_OK

    /// A SQLite error's own message, without the SQL or its arguments.
    static func message(of error: any Error) -> String {
        (error as? DatabaseError)?.message ?? String(describing: error)
    }
}
