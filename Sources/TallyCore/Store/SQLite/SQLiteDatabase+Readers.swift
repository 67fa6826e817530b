import Foundation
import GRDB

extension SQLiteDatabase {
    /// Read-only connections to the same file, each on its own GRDB queue (so its own thread). SQLite lets any
    /// number of readers share the file while no one writes; one that cannot be opened means no slices, and
    /// the caller reads on the job's own connection.
    func withReaders<T: Sendable>(_ count: Int, _ body: @Sendable ([any SQLExecutor]) async throws -> T) async throws -> T? {
        guard count > 1, case .file(let path) = location else { return nil }
        var configuration = Configuration()
        configuration.label = "tally-reader"
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        var queues: [DatabaseQueue] = []
        defer { for queue in queues { try? queue.close() } }
        for _ in 0..<count {
            guard let queue = try? DatabaseQueue(path: path, configuration: configuration) else { return nil }
            queues.append(queue)
        }
        return try await body(queues.map { SQLiteExecutor(queue: $0, turns: SQLiteTurns()) })
    }
}
