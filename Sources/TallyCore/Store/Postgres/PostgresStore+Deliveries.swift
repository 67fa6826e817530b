import Foundation
import PostgresNIO

extension PostgresStore {
    static let deliveryColumns = """
        usage_row_id, identifier, customer_id, event_name, value, event_timestamp, status, attempts, last_error,
        stripe_request_id, idempotency_key, sent_at, created_at, updated_at
        """

    func deliveries(identifiers: [String]) async throws -> [MeterEventDelivery] {
        guard !identifiers.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(identifiers)
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT \(Self.deliveryColumns) FROM \(prefix)meter_event_deliveries WHERE identifier = ANY($1)
            """, binds: binds), logger: logger)
        return try await Self.deliveries(rows)
    }

    func recordDelivery(_ delivery: MeterEventDelivery) async throws -> MeterEventDelivery {
        var binds = PostgresBindings()
        binds.append(delivery.usageRowID)
        binds.append(delivery.identifier)
        binds.append(delivery.customerID)
        binds.append(delivery.eventName)
        binds.append(delivery.value)
        binds.append(StoredTime.seconds(delivery.eventTimestamp))
        binds.append(delivery.status.rawValue)
        binds.append(Int32(delivery.attempts))
        binds.append(delivery.lastError)
        binds.append(delivery.stripeRequestID)
        binds.append(delivery.idempotencyKey)
        binds.append(delivery.sentAt.map(StoredTime.seconds))
        binds.append(StoredTime.seconds(delivery.createdAt))
        binds.append(StoredTime.seconds(delivery.updatedAt))
        try await client.query(PostgresQuery(unsafeSQL: """
            INSERT INTO \(prefix)meter_event_deliveries (\(Self.deliveryColumns))
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            ON CONFLICT (identifier) DO NOTHING
            """, binds: binds), logger: logger)
        guard let stored = try await deliveries(identifiers: [delivery.identifier]).first else {
            throw StoredRecordMissing(table: "\(prefix)meter_event_deliveries", id: 0)
        }
        return stored
    }

    func updateDelivery(_ delivery: MeterEventDelivery) async throws {
        var binds = PostgresBindings()
        binds.append(delivery.status.rawValue)
        binds.append(Int32(delivery.attempts))
        binds.append(delivery.lastError)
        binds.append(delivery.stripeRequestID)
        binds.append(delivery.idempotencyKey)
        binds.append(delivery.sentAt.map(StoredTime.seconds))
        binds.append(StoredTime.seconds(delivery.updatedAt))
        binds.append(delivery.identifier)
        try await client.query(PostgresQuery(unsafeSQL: """
            UPDATE \(prefix)meter_event_deliveries
            SET status = $1, attempts = $2, last_error = $3, stripe_request_id = $4, idempotency_key = $5, sent_at = $6,
                updated_at = $7
            WHERE identifier = $8
            """, binds: binds), logger: logger)
    }

    func deliveries(status: MeterEventDeliveryStatus) async throws -> [MeterEventDelivery] {
        var binds = PostgresBindings()
        binds.append(status.rawValue)
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT \(Self.deliveryColumns) FROM \(prefix)meter_event_deliveries
            WHERE status = $1 ORDER BY created_at, identifier
            """, binds: binds), logger: logger)
        return try await Self.deliveries(rows)
    }

    func sentDeliveries(customerID: String, eventName: String, from start: Date, to end: Date) async throws -> [MeterEventDelivery] {
        var binds = PostgresBindings()
        binds.append(customerID)
        binds.append(eventName)
        binds.append(StoredTime.seconds(start))
        binds.append(StoredTime.seconds(end))
        let rows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT \(Self.deliveryColumns) FROM \(prefix)meter_event_deliveries
            WHERE customer_id = $1 AND event_name = $2 AND status = 'sent' AND event_timestamp >= $3 AND event_timestamp < $4
            ORDER BY event_timestamp, identifier
            """, binds: binds), logger: logger)
        return try await Self.deliveries(rows)
    }

    func resolveDiscrepancy(id: Int64, resolution: String) async throws {
        var binds = PostgresBindings()
        binds.append(resolution)
        binds.append(id)
        try await client.query(PostgresQuery(unsafeSQL: "UPDATE \(prefix)discrepancies SET resolution = $1 WHERE id = $2", binds: binds),
                               logger: logger)
    }

    private static func deliveries(_ rows: PostgresRowSequence) async throws -> [MeterEventDelivery] {
        var found: [MeterEventDelivery] = []
        for try await row in rows {
            let r = row.makeRandomAccess()
            let identifier = try r[1].decode(String.self)
            found.append(MeterEventDelivery(
                usageRowID: try r[0].decode(String.self), identifier: identifier, customerID: try r[2].decode(String.self),
                eventName: try r[3].decode(String.self), value: try r[4].decode(Int64.self),
                eventTimestamp: StoredTime.date(try r[5].decode(Int64.self)),
                status: try .stored(try r[6].decode(String.self), identifier: identifier),
                attempts: Int(try r[7].decode(Int32.self)), lastError: try r[8].decode(String?.self),
                stripeRequestID: try r[9].decode(String?.self), idempotencyKey: try r[10].decode(String?.self),
                sentAt: try r[11].decode(Int64?.self).map(StoredTime.date),
                createdAt: StoredTime.date(try r[12].decode(Int64.self)), updatedAt: StoredTime.date(try r[13].decode(Int64.self))))
        }
        return found
    }
}
