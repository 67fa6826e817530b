import Testing
import TallyCore

@Suite("DATABASE_URL parsing")
struct DatabaseLocationTests {
    @Test("reads relative, absolute and in-memory SQLite locations")
    func sqliteLocations() throws {
        #expect(try DatabaseLocation(parsing: "sqlite:./tally.sqlite") == .sqlite(.file(path: "./tally.sqlite")))
        #expect(try DatabaseLocation(parsing: "sqlite:/var/lib/tally/tally.sqlite") == .sqlite(.file(path: "/var/lib/tally/tally.sqlite")))
        #expect(try DatabaseLocation(parsing: "sqlite::memory:") == .sqlite(.memory))
    }

    @Test("reads every part of a PostgreSQL URL, with libpq's defaults for port and sslmode")
    func postgresLocation() throws {
        let full = try DatabaseLocation(parsing: "postgres://tally:p%40ss@db.internal:6543/billing?sslmode=verify-full")
        #expect(full == .postgres(.init(host: "db.internal", port: 6543, user: "tally", password: Secret("p@ss"), database: "billing", sslMode: .verifyFull)))

        let short = try DatabaseLocation(parsing: "postgresql://tally@localhost/billing")
        #expect(short == .postgres(.init(host: "localhost", port: 5432, user: "tally", password: nil, database: "billing", sslMode: .prefer)))
    }

    @Test("describes a location with the password masked")
    func descriptionMasksPassword() throws {
        let location = try DatabaseLocation(parsing: "postgres://tally:hunter2-secret@db:5432/billing?sslmode=require")
        #expect(location.description == "postgres://tally:****@db:5432/billing?sslmode=require")
        #expect(!"\(location)".contains("hunter2-secret"))
    }

    @Test("rejects bad URLs under DATABASE_URL with a fix and never shows the password", arguments: [
        "mysql://tally:hunter2-secret@db/billing",
        "postgres://tally:hunter2-secret@db:5432/billing?sslmode=sometimes",
        "postgres://tally:hunter2-secret@db:5432/",
        "postgres://tally:hunter2-secret@db:5432/billing?application_name=x",
        "postgres://tally:hunter2-secret@db:port/billing",
        "postgres://tally:hunter2-secret@/billing",
        "sqlite:",
    ])
    func rejectsBadURLs(url: String) throws {
        let error = try #require(throws: ConfigurationError.self) { try DatabaseLocation(parsing: url) }
        #expect(error.key == "DATABASE_URL")
        #expect(error.exitStatus == .configuration)
        #expect(error.description.contains("postgres://USER:PASSWORD@HOST"))
        #expect(!error.description.contains("hunter2"))
    }
}
