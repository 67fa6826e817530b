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
}
