import Foundation
import GRDB

extension SQLiteStore {
    /// Identifiers per `IN (…)` lookup, well under SQLite's bound-parameter limit.
    static let deliveryLookupBatch = 500

    static let deliveryColumns = """
        usage_row_id, identifier, customer_id, event_name, value, event_timestamp, status, attempts, last_error,
        stripe_request_id, idempotency_key, sent_at, created_at, updated_at
        """

    func deliveries(identifiers: [String]) async throws -> [MeterEventDelivery] {
        var found: [MeterEventDelivery] = []
        for start in stride(from: 0, to: identifiers.count, by: Self.deliveryLookupBatch) {
            let batch = Array(identifiers[start..<min(start + Self.deliveryLookupBatch, identifiers.count)])
            let sql = """
                SELECT \(Self.deliveryColumns) FROM \(prefix)meter_event_deliveries
                WHERE identifier IN (\(Array(repeating: "?", count: batch.count).joined(separator: ", ")))
                """
            found += try await writer.read { db in
                try Row.fetchAll(db, sql: sql, arguments: StatementArguments(batch)).map(Self.delivery)
            }
        }
        return found
    }

    func recordDelivery(_ delivery: MeterEventDelivery) async throws -> MeterEventDelivery {
        let p = prefix
        return try await writer.write { db in
            try db.execute(sql: """
                INSERT INTO \(p)meter_event_deliveries (\(Self.deliveryColumns))
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (identifier) DO NOTHING
                """, arguments: [
                    delivery.usageRowID, delivery.identifier, delivery.customerID, delivery.eventName, delivery.value,
                    StoredTime.seconds(delivery.eventTimestamp), delivery.status.rawValue, delivery.attempts,
                    delivery.lastError, delivery.stripeRequestID, delivery.idempotencyKey,
                    delivery.sentAt.map(StoredTime.seconds), StoredTime.seconds(delivery.createdAt),
                    StoredTime.seconds(delivery.updatedAt),
                ])
            let sql = "SELECT \(Self.deliveryColumns) FROM \(p)meter_event_deliveries WHERE identifier = ?"
            guard let row = try Row.fetchOne(db, sql: sql, arguments: [delivery.identifier]) else {
                throw StoredRecordMissing(table: "\(p)meter_event_deliveries", id: 0)
            }
            return try Self.delivery(row)
        }
    }

    func updateDelivery(_ delivery: MeterEventDelivery) async throws {
        let p = prefix
        try await writer.write { db in
            try db.execute(sql: """
                UPDATE \(p)meter_event_deliveries
                SET status = ?, attempts = ?, last_error = ?, stripe_request_id = ?, idempotency_key = ?, sent_at = ?,
                    updated_at = ?
                WHERE identifier = ?
                """, arguments: [
                    delivery.status.rawValue, delivery.attempts, delivery.lastError, delivery.stripeRequestID,
                    delivery.idempotencyKey, delivery.sentAt.map(StoredTime.seconds),
                    StoredTime.seconds(delivery.updatedAt), delivery.identifier,
                ])
        }
    }

    func deliveries(status: MeterEventDeliveryStatus) async throws -> [MeterEventDelivery] {
        let sql = """
            SELECT \(Self.deliveryColumns) FROM \(prefix)meter_event_deliveries
            WHERE status = ? ORDER BY created_at, identifier
            """
        return try await writer.read { db in
            try Row.fetchAll(db, sql: sql, arguments: [status.rawValue]).map(Self.delivery)
        }
    }

    func sentDeliveries(customerID: String, eventName: String, from start: Date, to end: Date) async throws -> [MeterEventDelivery] {
        let sql = """
            SELECT \(Self.deliveryColumns) FROM \(prefix)meter_event_deliveries
            WHERE customer_id = ? AND event_name = ? AND status = 'sent' AND event_timestamp >= ? AND event_timestamp < ?
            ORDER BY event_timestamp, identifier
            """
        return try await writer.read { db in
            try Row.fetchAll(db, sql: sql, arguments: [customerID, eventName, StoredTime.seconds(start), StoredTime.seconds(end)])
                .map(Self.delivery)
        }
    }

    func resolveDiscrepancy(id: Int64, resolution: String) async throws {
        let p = prefix
        try await writer.write { db in
            try db.execute(sql: "UPDATE \(p)discrepancies SET resolution = ? WHERE id = ?", arguments: [resolution, id])
        }
    }

    private static func delivery(_ row: Row) throws -> MeterEventDelivery {
        let identifier: String = row["identifier"]
        let sentAt: Int64? = row["sent_at"]
        return MeterEventDelivery(
            usageRowID: row["usage_row_id"], identifier: identifier, customerID: row["customer_id"],
            eventName: row["event_name"], value: row["value"], eventTimestamp: StoredTime.date(row["event_timestamp"]),
            status: try .stored(row["status"], identifier: identifier), attempts: row["attempts"],
            lastError: row["last_error"], stripeRequestID: row["stripe_request_id"],
            idempotencyKey: row["idempotency_key"], sentAt: sentAt.map(StoredTime.date),
            createdAt: StoredTime.date(row["created_at"]), updatedAt: StoredTime.date(row["updated_at"]))
    }
}
