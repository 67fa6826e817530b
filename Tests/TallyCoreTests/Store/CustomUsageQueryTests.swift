import Foundation
import Testing
import TallyCore
import TallyTestKit

@Suite("A custom USAGE_QUERY")
struct CustomUsageQueryTests {
    static let day0 = Date(timeIntervalSince1970: 1_767_225_600)

    /// An app with uuid ids, other names, and times already in unix seconds.
    static let schema = [
        "CREATE TABLE workspaces (uuid TEXT PRIMARY KEY, billing_customer TEXT)",
        "CREATE TABLE usage_events (event_uuid TEXT PRIMARY KEY, workspace_uuid TEXT, actor TEXT, kind TEXT, units BIGINT, occurred_at BIGINT)",
        "INSERT INTO workspaces VALUES ('9f1c2e4a-0000-4000-8000-000000000001', 'cus_W1'), ('9f1c2e4a-0000-4000-8000-000000000002', 'cus_W2')",
        """
        INSERT INTO usage_events VALUES
            ('e0000000-0000-4000-8000-000000000001', '9f1c2e4a-0000-4000-8000-000000000001', 'u-1', 'embed', 11, 1767225600),
            ('e0000000-0000-4000-8000-000000000002', '9f1c2e4a-0000-4000-8000-000000000001', 'u-1', 'embed', 22, 1767311999),
            ('e0000000-0000-4000-8000-000000000003', '9f1c2e4a-0000-4000-8000-000000000002', 'u-2', 'chat', 5, 1767250000),
            ('e0000000-0000-4000-8000-000000000004', NULL, 'u-3', 'chat', 9, 1767250000)
        """,
    ]

    static let query = """
        SELECT e.event_uuid AS id, e.workspace_uuid AS team_id, w.billing_customer AS stripe_customer_id,
               e.actor AS user_id, e.kind AS action, e.units AS tokens, e.occurred_at AS created_at,
               NULL AS meter_event_identifier, NULL AS reported_at
        FROM usage_events e
        LEFT JOIN workspaces w ON w.uuid = e.workspace_uuid
        """

    @Test("maps a differently named schema with uuid ids", arguments: StoreBackendUnderTest.all)
    func differentSchema(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore(usageQuery: Self.query, prepare: { try await SampleAppDatabase.execute(Self.schema, at: $0) }) { store, _ in
            let aggregate = try await store.dailyUsage(from: Self.day0, to: Self.day0.addingTimeInterval(86_400), now: Self.day0.addingTimeInterval(86_400))
            #expect(Set(aggregate.days) == [
                DailyUsage(stripeCustomerID: "cus_W1", teamID: "9f1c2e4a-0000-4000-8000-000000000001", day: Self.day0, tokens: 33, rows: 2, reportedTokens: 0, lastEventAt: Date(timeIntervalSince1970: 1_767_311_999), lastTokens: 22, activeHours: 2),
                DailyUsage(stripeCustomerID: "cus_W2", teamID: "9f1c2e4a-0000-4000-8000-000000000002", day: Self.day0, tokens: 5, rows: 1, reportedTokens: 0, lastEventAt: Date(timeIntervalSince1970: 1_767_250_000), lastTokens: 5, activeHours: 1),
            ])
            #expect(aggregate.badRows.total == 1 && aggregate.badRows.missingTeam == 1)
            #expect(aggregate.badRows.examples[.missingTeam] == ["e0000000-0000-4000-8000-000000000004"])

            let rows = try await store.usageRows(from: Self.day0, to: Self.day0.addingTimeInterval(86_400), customer: "cus_W1")
            #expect(rows.map(\.id) == ["e0000000-0000-4000-8000-000000000001", "e0000000-0000-4000-8000-000000000002"])
            #expect(rows.allSatisfy { $0.meterEventIdentifier == nil && $0.reportedAt == nil })
        }
    }

    @Test("a query missing a column is a USAGE_QUERY configuration error naming the column", arguments: StoreBackendUnderTest.all)
    func missingColumn(backend: StoreBackendUnderTest) async throws {
        let withoutCustomer = Self.query.replacingOccurrences(of: "w.billing_customer AS stripe_customer_id,", with: "")
        try await backend.withStore(usageQuery: withoutCustomer, prepare: { try await SampleAppDatabase.execute(Self.schema, at: $0) }) { store, _ in
            let error = try await #require(throws: ConfigurationError.self) {
                try await store.dailyUsage(from: Self.day0, to: Self.day0.addingTimeInterval(86_400), now: Self.day0)
            }
            #expect(error.key == "USAGE_QUERY")
            #expect(error.exitStatus.rawValue == 78)
            #expect(error.description.contains("`stripe_customer_id`"))
        }
    }

    @Test("a query that does not parse is a USAGE_QUERY configuration error", arguments: StoreBackendUnderTest.all)
    func brokenSyntax(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore(usageQuery: "SELEC id FROM nowhere", prepare: { try await SampleAppDatabase.execute(Self.schema, at: $0) }) { store, _ in
            let error = try await #require(throws: ConfigurationError.self) {
                try await store.usageRows(from: Self.day0, to: Self.day0.addingTimeInterval(86_400), customer: nil)
            }
            #expect(error.key == "USAGE_QUERY")
            #expect(error.exitStatus == .configuration)
        }
    }
}

@Suite("A USAGE_QUERY returning text where numbers belong")
struct UsageQueryColumnTypeTests {
    static let schema = [
        "CREATE TABLE teams (id INTEGER PRIMARY KEY, stripe_customer_id TEXT)",
        "CREATE TABLE token_usage (id INTEGER PRIMARY KEY, team_id INTEGER, tokens TEXT, created_at TEXT)",
        "INSERT INTO teams (id, stripe_customer_id) VALUES (1, 'cus_1')",
        "INSERT INTO token_usage (id, team_id, tokens, created_at) VALUES (1, 1, '12', '2026-01-01 10:00:00')",
    ]

    static func query(tokens: String, createdAt: String) -> String {
        """
        SELECT tu.id AS id, tu.team_id AS team_id, t.stripe_customer_id AS stripe_customer_id, NULL AS user_id,
               NULL AS action, \(tokens) AS tokens, \(createdAt) AS created_at,
               NULL AS meter_event_identifier, NULL AS reported_at
        FROM token_usage tu LEFT JOIN teams t ON t.id = tu.team_id
        """
    }

    @Test("stops with a USAGE_QUERY error naming the column, instead of losing every row",
          arguments: StoreBackendUnderTest.all, [("tu.tokens", "1767261600", "tokens"), ("CAST(tu.tokens AS INTEGER)", "tu.created_at", "created_at")])
    func textColumn(backend: StoreBackendUnderTest, columns: (tokens: String, createdAt: String, named: String)) async throws {
        let query = Self.query(tokens: columns.tokens, createdAt: columns.createdAt)
        try await backend.withStore(usageQuery: query, prepare: { try await SampleAppDatabase.execute(Self.schema, at: $0) }) { store, _ in
            let error = try await #require(throws: ConfigurationError.self) { try await store.checkUsageColumns() }
            #expect(error.key == "USAGE_QUERY" && error.exitStatus.rawValue == 78)
            #expect(error.description.contains("`\(columns.named)`"), "\(error.description)")
        }
    }

    @Test("the default query passes the check", arguments: StoreBackendUnderTest.all)
    func defaultQueryPasses(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore(prepare: { try await SampleAppDatabase.create(at: $0, app: SampleApp(
            teams: [SampleTeam(id: 1, name: "Acme", stripeCustomerID: "cus_1")],
            usage: [SampleUsage(teamID: 1, userID: nil, tokens: 3, createdAt: Date(timeIntervalSince1970: 1_767_261_600))])) }) { store, _ in
            try await store.checkUsageColumns()
        }
    }
}
