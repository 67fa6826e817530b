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

    func recordDelivery(_ delivery: MeterEventDelivery) async throws -> MeterEventDelivery {
        let table = "\(prefix)meter_event_deliveries"
        let columns = deliveryColumnList
        return try await sql.transaction { sql in
            try await sql.execute(.insert(into: table, columns: Self.deliveryColumns, rows: [[
                delivery.usageRowID, delivery.identifier, delivery.customerID, delivery.eventName, delivery.value,
                delivery.eventTimestamp, delivery.status.rawValue, Int32(clamping: delivery.attempts), delivery.lastError,
                delivery.stripeRequestID, delivery.idempotencyKey, delivery.sentAt, delivery.createdAt, delivery.updatedAt,
            ]], suffix: "ON CONFLICT (identifier) DO NOTHING"))
            guard let row = try await sql.queryOne("SELECT \(raw: columns) FROM \(raw: table) WHERE identifier = \(delivery.identifier)") else {
                throw StoredRecordMissing(table: table, id: 0)
            }
            return try Self.delivery(row)
        }
    }

    func updateDelivery(_ delivery: MeterEventDelivery) async throws {
        try await sql.execute("""
            UPDATE \(raw: prefix)meter_event_deliveries
            SET status = \(delivery.status.rawValue), attempts = \(Int32(clamping: delivery.attempts)), last_error = \(delivery.lastError),
                stripe_request_id = \(delivery.stripeRequestID), idempotency_key = \(delivery.idempotencyKey),
                sent_at = \(delivery.sentAt), updated_at = \(delivery.updatedAt)
            WHERE identifier = \(delivery.identifier)
            """)
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
