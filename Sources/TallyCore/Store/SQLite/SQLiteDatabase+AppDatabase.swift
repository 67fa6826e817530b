import Foundation
import GRDB

extension SQLiteDatabase {
    /// Checks that the file exists and that the usage query's tables are in it, before anything opens it
    /// for writing: a missing file is never created, a wrong one never migrated.
    static func checkAppDatabase(
        _ location: DatabaseLocation.SQLiteLocation, configuration: StoreConfiguration, grdbConfiguration: Configuration
    ) async throws {
        guard case .file(let path) = location, FileManager.default.fileExists(atPath: path) else {
            throw AppDatabaseCheck.missing(.sqlite(location))
        }
        do {
            // Preparing the probe reads no row: SQLite resolves the tables when it compiles the statement.
            let queue = try DatabaseQueue(path: path, configuration: grdbConfiguration)
            defer { try? queue.close() }
            try await queue.read { db in _ = try db.makeStatement(sql: AppDatabaseCheck.probeSQL(configuration)) }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw AppDatabaseCheck.notADatabase(.sqlite(location))
        } catch let error as DatabaseError {
            guard let table = AppDatabaseCheck.missingTable(inMessage: error.message ?? "") else { return }
            throw AppDatabaseCheck.noUsageTable(table, location: .sqlite(location), customQuery: configuration.usageQuery != nil)
        }
    }
}
