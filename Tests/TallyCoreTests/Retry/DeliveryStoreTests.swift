import Foundation
import Testing
import TallyCore
import TallyTestKit

/// `tally_meter_event_deliveries` through the store, on both backends.
@Suite("The delivery store keeps one row per identifier")
struct DeliveryStoreTests {
    static let now = instant("2026-11-25T03:00:00Z")

    static func delivery(_ identifier: String, customer: String = "cus_1", at timestamp: Date, value: Int64 = 5) -> MeterEventDelivery {
        MeterEventDelivery(usageRowID: String(identifier.dropFirst(3)), identifier: identifier, customerID: customer, eventName: "tokens",
                           value: value, eventTimestamp: timestamp, status: .pending, idempotencyKey: "tally-retry-\(identifier)",
                           createdAt: now, updatedAt: now)
    }

    @Test("recording an identifier twice keeps the first row", arguments: StoreBackendUnderTest.all)
    func recordKeepsFirst(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            // Given a delivery already sent
            var first = Self.delivery("tu_1", at: instant("2026-11-24T10:00:00Z"))
            _ = try await store.recordDelivery(first)
            first.status = .sent
            first.attempts = 1
            first.stripeRequestID = "req_1"
            first.sentAt = Self.now
            try await store.updateDelivery(first)

            // When a later run records the same identifier as pending
            let stored = try await store.recordDelivery(Self.delivery("tu_1", at: instant("2026-11-24T10:00:00Z"), value: 99))

            // Then the stored row is the sent one
            #expect(stored == first)
            #expect(try await store.deliveries(identifiers: ["tu_1", "tu_2"]) == [first])
        }
    }

    @Test("sent deliveries are found by customer, event name and event time", arguments: StoreBackendUnderTest.all)
    func sentDeliveriesInWindow(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            for (identifier, customer, time, status) in [
                ("tu_1", "cus_1", "2026-11-24T10:00:00Z", MeterEventDeliveryStatus.sent),
                ("tu_2", "cus_1", "2026-11-24T10:00:30Z", .pending),
                ("tu_3", "cus_2", "2026-11-24T10:00:10Z", .sent),
                ("tu_4", "cus_1", "2026-11-24T10:01:00Z", .sent),
            ] {
                var delivery = Self.delivery(identifier, customer: customer, at: instant(time))
                _ = try await store.recordDelivery(delivery)
                delivery.status = status
                try await store.updateDelivery(delivery)
            }
            let found = try await store.sentDeliveries(customerID: "cus_1", eventName: "tokens",
                                                       from: instant("2026-11-24T10:00:00Z"), to: instant("2026-11-24T10:01:00Z"))
            #expect(found.map(\.identifier) == ["tu_1"])
        }
    }

    @Test("an unconfirmed delivery is stored as such and listed by status, oldest first", arguments: StoreBackendUnderTest.all)
    func unconfirmedByStatus(backend: StoreBackendUnderTest) async throws {
        try await backend.withStore { store, _ in
            // Given two sends with unknown outcomes and one sent
            for (identifier, status, age) in [("tu_2", MeterEventDeliveryStatus.unconfirmed, 60.0), ("tu_1", .unconfirmed, 120),
                                              ("tu_3", .sent, 180)] {
                var delivery = Self.delivery(identifier, at: instant("2026-11-24T10:00:00Z"))
                delivery.createdAt = Self.now.addingTimeInterval(-age)
                _ = try await store.recordDelivery(delivery)
                delivery.status = status
                delivery.attempts = 1
                try await store.updateDelivery(delivery)
            }

            // When the unconfirmed ones are listed
            let found = try await store.deliveries(status: .unconfirmed)

            // Then both come back, oldest first, with their status
            #expect(found.map(\.identifier) == ["tu_1", "tu_2"])
            #expect(found.allSatisfy { $0.status == .unconfirmed })
        }
    }

    @Test("deliveries stored before V6 keep their rows, ids and indexes through it, and may then be unconfirmed",
          arguments: StoreBackendUnderTest.all)
    func v6KeepsRows(backend: StoreBackendUnderTest) async throws {
        try await backend.withFreshDatabase { location in
            // Given a database Tally migrated up to V5, holding a pending delivery
            let before = Array(TallyMigration.all.prefix { $0.identifier != "v6-unconfirmed-deliveries" })
            var statements: [String]
            switch location.backend {
            case .sqlite:
                statements = before.flatMap { $0.sqlite("tally_") }
                statements.append("CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                statements += before.map { "INSERT INTO grdb_migrations (identifier) VALUES ('\($0.identifier)')" }
            case .postgres:
                statements = before.flatMap { $0.postgres("tally_") }
                statements.append("CREATE TABLE tally_schema_migrations (identifier text PRIMARY KEY, applied_order integer NOT NULL, applied_at bigint NOT NULL)")
                statements += before.enumerated().map { "INSERT INTO tally_schema_migrations VALUES ('\($1.identifier)', \($0 + 1), 0)" }
            }
            statements.append("""
                INSERT INTO tally_meter_event_deliveries (usage_row_id, identifier, customer_id, event_name, value, event_timestamp,
                    status, attempts, idempotency_key, created_at, updated_at)
                VALUES ('7', 'tu_7', 'cus_1', 'tokens', 5, 1795946400, 'pending', 1, 'tally-retry-tu_7', 1795950000, 1795950000)
                """)
            try await SampleAppDatabase.execute(statements, at: location)

            // When Tally opens it (running V6) and the delivery's outcome turns out unknown
            let store = try await openStore(StoreConfiguration(location: location), logger: .init(label: "test"))
            var kept = try #require(try await store.deliveries(identifiers: ["tu_7"]).first)
            kept.status = .unconfirmed
            try await store.updateDelivery(kept)
            let unconfirmed = try await store.deliveries(status: .unconfirmed)
            let migrations = try await store.appliedMigrations()
            try await store.close()

            // Then the row survived whole and now reads back unconfirmed
            #expect(kept.value == 5 && kept.attempts == 1 && kept.idempotencyKey == "tally-retry-tu_7")
            #expect(unconfirmed.map(\.identifier) == ["tu_7"])
            #expect(migrations == TallyMigration.all.map(\.identifier))
        }
    }
}
