import Logging
import PostgresNIO
import Synchronization

/// A session advisory lock on a connection of its own: held until `release()` or until the session
/// ends (the process dies, the network drops), so two cron hosts never run the same job at once.
final class PostgresAdvisoryLock: JobLock {
    private let connection: Mutex<PostgresConnection?>
    private let logger: Logger

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = Mutex(connection)
        self.logger = logger
    }

    /// A stable 64-bit key for a name (FNV-1a), the same on every host and server version.
    static func key(for name: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "tally:\(name)".utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }

    func release() async {
        guard let held = connection.withLock({ connection in
            defer { connection = nil }
            return connection
        }) else { return }
        // Closing the session releases its advisory locks; unlocking first frees the job at once even if
        // the close is slow.
        _ = try? await held.query("SELECT pg_advisory_unlock_all()", logger: logger)
        try? await held.close()
    }
}
