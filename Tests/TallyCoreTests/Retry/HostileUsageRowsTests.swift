import Foundation
import Testing
import TallyCore
import TallySandbox
import TallyTestKit

/// Values no meter event may carry: each is a bad row, counted with its reason and id, and never sent.
@Suite("Hostile usage rows are skipped with their reason, never sent, and never crash a job")
struct HostileUsageRowsTests {
    static let now = instant("2026-11-25T03:00:00Z")

    /// One hostile row: its `tokens` and `created_at` as SQL literals per backend (nil = the backend's
    /// column type cannot hold it), and the reason Tally must give.
    struct HostileRow: Sendable, CustomStringConvertible {
        var name: String
        var sqliteTokens: String
        var postgresTokens: String?
        var createdAt: String = "'2026-11-24 12:00:00'"
        var postgresCreatedAt: String? = "'2026-11-24 12:00:00'"
        var problem: UsageProblem
        var description: String { name }
    }

    static let rows: [HostileRow] = [
        HostileRow(name: "2^53 + 1 tokens", sqliteTokens: "9007199254740993", postgresTokens: "9007199254740993", problem: .tooLarge),
        HostileRow(name: "Int64.max tokens", sqliteTokens: "9223372036854775807", postgresTokens: "9223372036854775807", problem: .tooLarge),
        HostileRow(name: "16 digits", sqliteTokens: "1000000000000000", postgresTokens: "1000000000000000", problem: .tooLarge),
        HostileRow(name: "REAL 1e20 tokens", sqliteTokens: "1e20", postgresTokens: "1e20", problem: .tooLarge),
        HostileRow(name: "fractional tokens", sqliteTokens: "1.5", postgresTokens: "1.5", problem: .notWholeNumber),
        HostileRow(name: "text tokens", sqliteTokens: "'12 tokens'", postgresTokens: nil, problem: .notWholeNumber),
        HostileRow(name: "negative tokens", sqliteTokens: "-3", postgresTokens: "-3", problem: .negativeTokens),
        HostileRow(name: "an unreadable created_at", sqliteTokens: "4", postgresTokens: nil, createdAt: "'not a date'",
                   postgresCreatedAt: nil, problem: .unreadableTimestamp),
        HostileRow(name: "a created_at of non-UTF-8 bytes", sqliteTokens: "4", postgresTokens: nil, createdAt: "CAST(x'c3282d31' AS TEXT)",
                   postgresCreatedAt: nil, problem: .unreadableTimestamp),
        // Epoch milliseconds: in the sample's TEXT column no date SQLite can read (an INTEGER column would
        // put them some 55,000 years ahead, a future row); counted either way, never lost.
        HostileRow(name: "a created_at in epoch milliseconds", sqliteTokens: "4", postgresTokens: nil, createdAt: "1795990000000",
                   postgresCreatedAt: nil, problem: .unreadableTimestamp),
    ]

    static var cases: [(StoreBackendUnderTest, HostileRow)] {
        StoreBackendUnderTest.all.flatMap { backend in
            rows.filter { backend == .sqlite || ($0.postgresTokens != nil && $0.postgresCreatedAt != nil) }.map { (backend, $0) }
        }
    }

    @Test("each hostile row is a bad row with its reason and id; reconcile and retry send nothing for it", arguments: cases)
    func hostileRow(backend: StoreBackendUnderTest, row: HostileRow) async throws {
        var scenario = ReconcileScenario(now: Self.now)
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        // One good unreported row beside it, so retry has something to do.
        scenario.usage = [SampleUsage(teamID: 1, userID: nil, tokens: 10, createdAt: instant("2026-11-24T10:00:00Z"))]
        try await scenario.run(on: backend) { world in
            // Given the hostile row, written straight into the app's table
            var statements: [String] = []
            if backend == .postgres { statements.append("ALTER TABLE token_usage ALTER COLUMN tokens TYPE numeric") }
            let tokens = backend == .sqlite ? row.sqliteTokens : row.postgresTokens!
            let createdAt = backend == .sqlite ? row.createdAt : row.postgresCreatedAt!
            statements.append("INSERT INTO token_usage (id, team_id, user_id, action, tokens, created_at) VALUES (901, 1, NULL, 'chat', \(tokens), \(createdAt))")
            try await SampleAppDatabase.execute(statements, at: world.location)

            // When retry runs before any reconciliation, then reconcile, then retry again
            let early = try await world.retry(at: Self.now)
            let found = try await world.reconcile(at: Self.now.addingTimeInterval(600))
            let late = try await world.retry(at: Self.now.addingTimeInterval(1_200))

            // Then the row is reported as bad, with its reason and id
            let bad = try #require(found.first { $0.kind == .badRows }, "no bad_rows finding for \(row.name)")
            #expect(bad.usageRowIDs == ["901"])
            #expect(bad.suggestedAction.contains(row.problem.reason) && bad.suggestedAction.contains("901"), "\(bad.suggestedAction)")
            #expect(bad.localValue == 1)
            // And Stripe only ever got the good row, and no delivery names the hostile one
            #expect(world.stripeEvents(customer: 0).map(\.value) == [10])
            #expect(try await world.store.deliveries(identifiers: ["tu_901"]).isEmpty)
            #expect(early.exitStatus == .ok && late.exitStatus == .ok, "\(early.summary) / \(late.summary)")
        }
    }

    @Test("a customer-day whose total does not fit in 64 bits is reported, never wrapped", arguments: StoreBackendUnderTest.all)
    func overflowingDay(backend: StoreBackendUnderTest) async throws {
        var scenario = ReconcileScenario(now: Self.now)
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        try await scenario.run(on: backend) { world in
            // Given 9,300 rows of the largest value Stripe accepts on one day: more than 2^63 together
            var statements: [String] = []
            if backend == .postgres { statements.append("ALTER TABLE token_usage ALTER COLUMN tokens TYPE bigint") }
            let values = (0..<9_300).map { "(\(1_000 + $0), 1, NULL, 'chat', 999999999999999, '2026-11-24 0\($0 % 10):00:00')" }
            for start in stride(from: 0, to: values.count, by: 500) {
                statements.append("INSERT INTO token_usage (id, team_id, user_id, action, tokens, created_at) VALUES "
                                  + values[start..<min(start + 500, values.count)].joined(separator: ", "))
            }
            try await SampleAppDatabase.execute(statements, at: world.location)

            // When reconciling
            let found = try await world.reconcile(at: Self.now)

            // Then the day is a bad-rows finding, not a crash or a wrapped total
            let bad = try #require(found.first { $0.kind == .badRows })
            #expect(bad.suggestedAction.contains(UsageProblem.totalOverflow.reason))
            #expect(bad.localValue == 9_300)
            #expect(!found.contains { $0.kind == .unreported })
        }
    }

    @Test("a row the usage query returns twice is a bad row, neither counted nor sent", arguments: StoreBackendUnderTest.all)
    func duplicateID(backend: StoreBackendUnderTest) async throws {
        var scenario = ReconcileScenario(now: Self.now)
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        scenario.usage = [
            SampleUsage(teamID: 1, userID: nil, tokens: 10, createdAt: instant("2026-11-24T10:00:00Z")),
            SampleUsage(teamID: 1, userID: nil, tokens: 25, createdAt: instant("2026-11-24T11:00:00Z")),
        ]
        // A query whose second half repeats the 11:00 row, as a JOIN that multiplies rows would.
        let base = UsageQuery.default(for: backend == .sqlite ? .sqlite : .postgres)
        scenario.environment["USAGE_QUERY"] = "\(base) UNION ALL \(base) WHERE tu.tokens = 25"
        try await scenario.run(on: backend) { world in
            let found = try await world.reconcile(at: Self.now)
            _ = try await world.retry(at: Self.now.addingTimeInterval(600))

            let bad = try #require(found.first { $0.kind == .badRows })
            #expect(bad.suggestedAction.contains(UsageProblem.duplicateID.reason), "\(bad.suggestedAction)")
            #expect(bad.localValue == 2 && Set(bad.usageRowIDs).count == 1)
            // The 10-token row is the only one judged and sent.
            #expect(world.stripeEvents(customer: 0).map(\.value) == [10])
        }
    }

    @Test("a team whose stripe_customer_id is empty is a team without a customer; Stripe is never asked for customer \"\"")
    func emptyCustomerID() async throws {
        var scenario = ReconcileScenario(now: Self.now)
        scenario.customers = [.init(name: "Acme", teamID: 1)]
        scenario.teamsWithoutCustomer = [2]
        scenario.usage = [SampleUsage(teamID: 2, userID: nil, tokens: 8, createdAt: instant("2026-11-24T10:00:00Z"))]
        try await scenario.run { world in
            try await SampleAppDatabase.execute(["UPDATE teams SET stripe_customer_id = '' WHERE id = 2"], at: world.location)

            let found = try await world.reconcile(at: Self.now)

            #expect(found.map(\.kind) == [.missingCustomer])
            #expect(found.first?.teamID == "2" && found.first?.localValue == 8)
            #expect(!world.simulator.requests.contains { $0.query.contains("customer=&") || $0.query.hasSuffix("customer=") })
        }
    }
}
