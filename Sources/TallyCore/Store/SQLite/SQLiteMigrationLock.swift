import Foundation

/// The lock migrations run under on a SQLite file (`<database>.migrations.lock`), apart from the job
/// locks: jobs of different kinds started at once on a never-migrated database would otherwise each try
/// to create the same tables. A process waits its turn, polling without blocking a thread.
enum SQLiteMigrationLock {
    /// How long a process waits for another one's migrations before giving up with exit 75.
    static let patience: Duration = .seconds(120)

    /// Takes the lock for `location` (nil for an in-memory database, which no other process can open).
    static func acquire(_ location: DatabaseLocation.SQLiteLocation, patience: Duration = patience) async throws -> SQLiteFileLock? {
        guard case .file(let path) = location else { return nil }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: patience)
        while true {
            if let lock = try SQLiteFileLock.tryLock(path: "\(path).migrations.lock") { return lock }
            guard clock.now < deadline else {
                throw StoreBusy(database: "\(DatabaseLocation.sqlite(location))",
                                reason: "another Tally job has been migrating it for over \(patience.components.seconds) s")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
