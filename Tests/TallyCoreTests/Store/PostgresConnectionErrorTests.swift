import Foundation
import Logging
import Testing
import TallyCore
import TallyTestKit

@Suite("PostgreSQL connection failures")
struct PostgresConnectionErrorTests {
    static let password = "wrong-horse-battery-7731"

    @Test("an unreachable server exits 69 naming host and port, never the password")
    func unreachable() async throws {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        let location = try DatabaseLocation(parsing: "postgres://tally:\(Self.password)@127.0.0.1:1/tally?sslmode=disable")
        let error = try await #require(throws: StoreUnavailable.self) {
            _ = try await openStore(StoreConfiguration(location: location), logger: Logger(label: "test"))
        }
        #expect(error.exitStatus == .unavailable)
        #expect(error.description.contains("cannot reach PostgreSQL at 127.0.0.1:1"))
        #expect(!error.description.contains(Self.password))
    }

    @Test(
        "a wrong password is a DATABASE_URL configuration error that never shows the password",
        .enabled(if: PostgresTestDatabase.shouldRun, "set TALLY_TEST_POSTGRES_URL: \(PostgresTestDatabase.setupHint)")
    )
    func wrongPassword() async throws {
        // Given a role that must authenticate with a password (scripts/postgres-dev lets this one role
        // authenticate by password; everyone else is trusted)
        try await PostgresTestDatabase.executeOnServer("""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tally_password_check') THEN
                    CREATE ROLE tally_password_check LOGIN PASSWORD 'the-right-one';
                END IF;
            END $$
            """)
        var location = try PostgresTestDatabase.serverLocation()
        location.user = "tally_password_check"
        location.password = Secret(Self.password)

        // When opening the store with the wrong password
        let error = try await #require(throws: ConfigurationError.self) {
            _ = try await openStore(StoreConfiguration(location: .postgres(location)), logger: Logger(label: "test"))
        }

        // Then the message names the user and the setting, not the password
        #expect(error.key == "DATABASE_URL")
        #expect(error.exitStatus == .configuration)
        #expect(error.description.contains("authentication failed for user tally_password_check: check the password in DATABASE_URL"))
        #expect(!error.description.contains(Self.password))
    }

    @Test(
        "sslmode=require against a server without TLS is a DATABASE_URL configuration error",
        .enabled(if: PostgresTestDatabase.shouldRun, "set TALLY_TEST_POSTGRES_URL: \(PostgresTestDatabase.setupHint)")
    )
    func requireWithoutTLS() async throws {
        // scripts/postgres-dev starts the server without TLS.
        var location = try PostgresTestDatabase.serverLocation()
        location.sslMode = .require
        let error = try await #require(throws: ConfigurationError.self) {
            _ = try await openStore(StoreConfiguration(location: .postgres(location)), logger: Logger(label: "test"))
        }
        #expect(error.key == "DATABASE_URL")
        #expect(error.description.contains("does not offer TLS"))
    }

    @Test(
        "PostgreSQL store tests have a server to run against",
        .enabled(if: PostgresTestDatabase.shouldRun, "PostgreSQL store tests skipped: TALLY_TEST_POSTGRES_URL is not set; \(PostgresTestDatabase.setupHint)")
    )
    func serverIsConfigured() async throws {
        // On CI without the variable this fails with the hint, so a forgotten server never looks green.
        try await PostgresTestDatabase.executeOnServer("SELECT 1")
    }
}
