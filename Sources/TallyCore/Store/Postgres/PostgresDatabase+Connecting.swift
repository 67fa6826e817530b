import Foundation
import Logging
import PostgresNIO

extension PostgresDatabase {
    /// Opens one connection, turning failures into errors a person can act on; never shows the password.
    static func connect(
        _ configuration: PostgresConnection.Configuration, location: DatabaseLocation.PostgresLocation, logger: Logger
    ) async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration: configuration, id: nextConnectionID(), logger: logger)
        } catch {
            throw connectionFailure(error, location: location)
        }
    }

    /// Maps a connection error: bad credentials or database are configuration (78); anything on the
    /// way to the server is unavailability (69).
    static func connectionFailure(_ error: any Error, location: DatabaseLocation.PostgresLocation) -> any TallyFailure {
        let target = "\(location.host):\(location.port)"
        guard let error = error as? PSQLError else {
            return StoreUnavailable(target: target, reason: scrubbed(String(describing: error), location: location))
        }
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            let message = scrubbed(error.serverInfo?[.message] ?? "server error \(state)", location: location)
            switch state {
            case "28P01", "28000":
                return ConfigurationError(
                    key: DatabaseLocation.settingKey,
                    problem: "authentication failed for user \(location.user)",
                    fix: "check the password in DATABASE_URL"
                )
            case "3D000":
                return ConfigurationError(
                    key: DatabaseLocation.settingKey,
                    problem: "names the database \(location.database), which does not exist on \(target)",
                    fix: "create it (createdb \(location.database)) or fix the name in DATABASE_URL"
                )
            case "53300", "57P03":
                return StoreUnavailable(target: target, reason: message)
            default:
                return ConfigurationError(
                    key: DatabaseLocation.settingKey,
                    problem: "was refused by \(target): \(message)",
                    fix: "check the user, database and permissions in DATABASE_URL"
                )
            }
        case .sslUnsupported:
            return ConfigurationError(
                key: DatabaseLocation.settingKey,
                problem: "asks for sslmode=\(location.sslMode.rawValue), but \(target) does not offer TLS",
                fix: "enable ssl on the server, or use sslmode=prefer or disable"
            )
        case .authMechanismRequiresPassword:
            return ConfigurationError(
                key: DatabaseLocation.settingKey,
                problem: "has no password, but \(target) asks user \(location.user) for one",
                fix: "put the password in DATABASE_URL (postgres://USER:PASSWORD@HOST/DB)"
            )
        default:
            let reason = error.underlying.map { String(describing: $0) } ?? "\(error.code)"
            return StoreUnavailable(target: target, reason: scrubbed(reason, location: location))
        }
    }

    /// Removes the password from a message, should a server or library ever echo it.
    static func scrubbed(_ message: String, location: DatabaseLocation.PostgresLocation) -> String {
        guard let password = location.password?.revealed, !password.isEmpty else { return message }
        return message.replacingOccurrences(of: password, with: "****")
    }

    private static let connectionIDs = ConnectionIDCounter()

    static func nextConnectionID() -> Int { connectionIDs.next() }
}

import Synchronization

/// Ids for the store's own connections, which postgres-nio puts in its log metadata.
final class ConnectionIDCounter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}
