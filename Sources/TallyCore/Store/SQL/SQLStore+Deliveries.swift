import Foundation

extension SQLStore: MeterEventDeliveryStore {
    static let deliveryColumns = ["usage_row_id", "identifier", "customer_id", "event_name", "value", "event_timestamp",
                                  "status", "attempts", "last_error", "stripe_request_id", "idempotency_key", "sent_at",
                                  "created_at", "updated_at"]
    private var deliveryColumnList: String { Self.deliveryColumns.joined(separator: ", ") }

    func deliveries(identifiers: [String]) async throws -> [MeterEventDelivery] {
        var found: [MeterEventDelivery] = []
        for batch in SQLStatement.batches(identifiers) {
            found += try await sql.query("""
                SELECT \(raw: deliveryColumnList) FROM \(raw: prefix)meter_event_deliveries
                WHERE identifier IN (\(list: Array(batch)))
                """).map(Self.delivery)
        }
        return found
    }

    func recordDeliveries(_ deliveries: [MeterEventDelivery]) async throws -> [MeterEventDelivery] {
        guard !deliveries.isEmpty else { return [] }
        let table = "\(prefix)meter_event_deliveries"
        let columns = deliveryColumnList
        // One transaction for the whole batch: one commit (one fsync) instead of one per row.
        return try await sql.transaction { sql in
            for batch in SQLStatement.batches(deliveries, columns: Self.deliveryColumns.count) {
                try await sql.execute(.insert(into: table, columns: Self.deliveryColumns, rows: batch.map(Self.values),
                                              suffix: "ON CONFLICT (identifier) DO NOTHING"))
            }
            var stored: [MeterEventDelivery] = []
            for batch in SQLStatement.batches(deliveries.map(\.identifier)) {
                stored += try await sql.query("SELECT \(raw: columns) FROM \(raw: table) WHERE identifier IN (\(list: Array(batch)))")
                    .map(Self.delivery)
            }
            return stored
        }
    }

    func updateDeliveries(_ deliveries: [MeterEventDelivery]) async throws {
        // The last outcome of an identifier wins; PostgreSQL refuses one statement that updates a row twice.
        var latest: [String: MeterEventDelivery] = [:]
        var order: [String] = []
        for delivery in deliveries {
            if latest.updateValue(delivery, forKey: delivery.identifier) == nil { order.append(delivery.identifier) }
        }
        guard !order.isEmpty else { return }
        let rows = order.compactMap { latest[$0] }
        let table = "\(prefix)meter_event_deliveries"
        // An upsert is the one multi-row UPDATE both dialects write alike; every row was recorded before its
        // send, so the conflict branch is the one taken (a row missing would be stored whole, as given).
        try await sql.transaction { sql in
            for batch in SQLStatement.batches(rows, columns: Self.deliveryColumns.count) {
                try await sql.execute(.insert(into: table, columns: Self.deliveryColumns, rows: batch.map(Self.values), suffix: """
                    ON CONFLICT (identifier) DO UPDATE SET status = excluded.status, attempts = excluded.attempts,
                        last_error = excluded.last_error, stripe_request_id = excluded.stripe_request_id,
                        idempotency_key = excluded.idempotency_key, sent_at = excluded.sent_at, updated_at = excluded.updated_at
                    """))
            }
        }
    }

    private static func values(_ delivery: MeterEventDelivery) -> [any SQLBindable] {
        [delivery.usageRowID, delivery.identifier, delivery.customerID, delivery.eventName, delivery.value,
         delivery.eventTimestamp, delivery.status.rawValue, Int32(clamping: delivery.attempts), delivery.lastError,
         delivery.stripeRequestID, delivery.idempotencyKey, delivery.sentAt, delivery.createdAt, delivery.updatedAt]
    }

    func deliveries(status: MeterEventDeliveryStatus) async throws -> [MeterEventDelivery] {
        try await sql.query("""
            SELECT \(raw: deliveryColumnList) FROM \(raw: prefix)meter_event_deliveries
            WHERE status = \(status.rawValue) ORDER BY created_at, identifier
            """).map(Self.delivery)
    }

    func sentDeliveries(customerID: String, eventName: String, from start: Date, to end: Date) async throws -> [MeterEventDelivery] {
        try await sql.query("""
            SELECT \(raw: deliveryColumnList) FROM \(raw: prefix)meter_event_deliveries
            WHERE customer_id = \(customerID) AND event_name = \(eventName) AND status = 'sent'
              AND event_timestamp >= \(start) AND event_timestamp < \(end)
            ORDER BY event_timestamp, identifier
            """).map(Self.delivery)
    }

    func resolveDiscrepancy(id: Int64, resolution: String) async throws {
        try await sql.execute("UPDATE \(raw: prefix)discrepancies SET resolution = \(resolution) WHERE id = \(id)")
    }

    private static func delivery(_ row: SQLRow) throws -> MeterEventDelivery {
        let identifier: String = try row["identifier"]
        return MeterEventDelivery(
            usageRowID: try row["usage_row_id"], identifier: identifier, customerID: try row["customer_id"],
            eventName: try row["event_name"], value: try row["value"], eventTimestamp: try row["event_timestamp"],
            status: try .stored(try row["status"], identifier: identifier), attempts: try row["attempts"],
            lastError: try row["last_error"], stripeRequestID: try row["stripe_request_id"],
            idempotencyKey: try row["idempotency_key"], sentAt: try row["sent_at"],
            createdAt: try row["created_at"], updatedAt: try row["updated_at"])
    }
}
