import Foundation
import GRDB

extension SQLiteStore {
    func newestStripeEventCreated() async throws -> Date? {
        try await writer.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(created_at) FROM stripe_events").map(StoredTime.date)
        }
    }

    func storedStripeEventIDs(among eventIDs: [String]) async throws -> Set<String> {
        guard !eventIDs.isEmpty else { return [] }
        return try await writer.read { db in
            var found = Set<String>()
            // Chunks stay well under SQLite's limit on bound parameters.
            for start in stride(from: 0, to: eventIDs.count, by: 500) {
                let chunk = Array(eventIDs[start..<min(start + 500, eventIDs.count)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                let ids = try String.fetchAll(db, sql: "SELECT event_id FROM stripe_events WHERE event_id IN (\(marks))",
                                              arguments: StatementArguments(chunk))
                found.formUnion(ids)
            }
            return found
        }
    }

    func storeAndQueue(_ events: [StripeEventRecord]) async throws -> Int {
        guard !events.isEmpty else { return 0 }
        return try await writer.write { db in
            let insertEvent = try db.cachedStatement(sql: """
                INSERT INTO stripe_events (event_id, event_type, processed, created_at, payload)
                VALUES (?, ?, 0, ?, ?)
                ON CONFLICT (event_id) DO NOTHING
                """)
            let queue = try db.cachedStatement(sql: """
                INSERT INTO stripe_event_queue (event_id, status, retry_count)
                VALUES (?, 'pending', 0)
                ON CONFLICT (event_id) DO NOTHING
                """)
            var stored = 0
            for event in events {
                try insertEvent.execute(arguments: [event.eventID, event.eventType, StoredTime.seconds(event.created), event.payload])
                // Only a newly stored event is queued: one already stored was queued (or handled) before.
                guard db.changesCount == 1 else { continue }
                stored += 1
                try queue.execute(arguments: [event.eventID])
            }
            return stored
        }
    }

    func dueStripeEvents(now: Date, after cursor: DueStripeEvent.Cursor?, limit: Int) async throws -> [DueStripeEvent] {
        let sql = """
            SELECT e.id, e.event_id, e.event_type, e.created_at, e.payload, e.processed,
                   q.id AS queue_id, q.status, q.retry_count, q.next_retry_at, q.last_error
            FROM stripe_event_queue q
            JOIN stripe_events e ON e.event_id = q.event_id
            WHERE (q.status = 'pending' OR (q.status = 'failed' AND q.next_retry_at <= ?))
              AND (? IS NULL OR e.created_at > ? OR (e.created_at = ? AND e.id > ?))
            ORDER BY e.created_at, e.id
            LIMIT ?
            """
        let cursorCreated = cursor.map { StoredTime.seconds($0.created) }
        let arguments: StatementArguments = [StoredTime.seconds(now), cursorCreated, cursorCreated, cursorCreated, cursor?.rowID, limit]
        return try await writer.read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                let event = StripeEventRecord(eventID: row["event_id"], eventType: row["event_type"],
                                              created: StoredTime.date(row["created_at"]), payload: row["payload"],
                                              processed: row["processed"])
                return DueStripeEvent(event: event, entry: try Self.queueEntry(row),
                                      cursor: .init(created: event.created, rowID: row["id"]))
            }
        }
    }

    func completeStripeEvent(_ eventID: String, applying sync: SubscriptionSync?) async throws -> SubscriptionSyncOutcome {
        let prefix = self.prefix
        return try await writer.write { db in
            let outcome = try sync.map { try Self.apply($0, db: db, prefix: prefix) } ?? .nothingToSync
            try db.execute(sql: "UPDATE stripe_event_queue SET status = 'done', next_retry_at = NULL WHERE event_id = ?",
                           arguments: [eventID])
            guard db.changesCount == 1 else { throw StripeEventNotQueued(eventID: eventID) }
            try db.execute(sql: "UPDATE stripe_events SET processed = 1 WHERE event_id = ?", arguments: [eventID])
            return outcome
        }
    }

    func failStripeEvent(_ eventID: String, attempt: EventQueueFailure) async throws {
        try await writer.write { db in
            try db.execute(sql: """
                UPDATE stripe_event_queue SET status = ?, retry_count = ?, next_retry_at = ?, last_error = ?
                WHERE event_id = ?
                """, arguments: [attempt.status.rawValue, attempt.retryCount, attempt.nextRetryAt.map(StoredTime.seconds),
                                 attempt.lastError, eventID])
            guard db.changesCount == 1 else { throw StripeEventNotQueued(eventID: eventID) }
        }
    }

    func stripeEventQueue(status: EventQueueStatus?) async throws -> [EventQueueEntry] {
        let sql = """
            SELECT q.id AS queue_id, q.event_id, q.status, q.retry_count, q.next_retry_at, q.last_error
            FROM stripe_event_queue q
            LEFT JOIN stripe_events e ON e.event_id = q.event_id
            WHERE ? IS NULL OR q.status = ?
            ORDER BY e.created_at, e.id, q.id
            """
        return try await writer.read { db in
            try Row.fetchAll(db, sql: sql, arguments: [status?.rawValue, status?.rawValue]).map(Self.queueEntry)
        }
    }

    func stripeEvent(id eventID: String) async throws -> StripeEventRecord? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: """
                SELECT event_id, event_type, created_at, payload, processed FROM stripe_events WHERE event_id = ?
                """, arguments: [eventID]).map { row in
                StripeEventRecord(eventID: row["event_id"], eventType: row["event_type"],
                                  created: StoredTime.date(row["created_at"]), payload: row["payload"], processed: row["processed"])
            }
        }
    }

    func subscriptionItems(subscriptionID: String?) async throws -> [SubscriptionItemRecord] {
        let sql = """
            SELECT stripe_subscription_item_id, subscription_id, customer_id, product_id, price_id, quantity, is_metered,
                   current_period_start, current_period_end
            FROM subscription_items
            WHERE ? IS NULL OR subscription_id = ?
            ORDER BY subscription_id, stripe_subscription_item_id
            """
        return try await writer.read { db in
            try Row.fetchAll(db, sql: sql, arguments: [subscriptionID, subscriptionID]).map { row in
                SubscriptionItemRecord(
                    stripeSubscriptionItemID: row["stripe_subscription_item_id"], subscriptionID: row["subscription_id"],
                    customerID: row["customer_id"], productID: row["product_id"], priceID: row["price_id"],
                    quantity: row["quantity"], isMetered: row["is_metered"],
                    currentPeriodStart: (row["current_period_start"] as Int64?).map(StoredTime.date),
                    currentPeriodEnd: (row["current_period_end"] as Int64?).map(StoredTime.date))
            }
        }
    }

    /// Writes `sync` unless a newer event (or the cancellation) already synced the subscription.
    static func apply(_ sync: SubscriptionSync, db: Database, prefix: String) throws -> SubscriptionSyncOutcome {
        if let synced = try Row.fetchOne(db, sql: "SELECT event_created, ended FROM \(prefix)subscription_syncs WHERE subscription_id = ?",
                                         arguments: [sync.subscriptionID]) {
            let created: Int64 = synced["event_created"]
            let ended: Bool = synced["ended"]
            if ended || created > StoredTime.seconds(sync.eventCreated) { return .skippedAsStale }
        }
        switch sync.change {
        case .items(let items):
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO subscription_items (stripe_subscription_item_id, subscription_id, customer_id, product_id, price_id,
                                                quantity, is_metered, current_period_start, current_period_end)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (stripe_subscription_item_id) DO UPDATE SET
                    subscription_id = excluded.subscription_id, customer_id = excluded.customer_id,
                    product_id = excluded.product_id, price_id = excluded.price_id, quantity = excluded.quantity,
                    is_metered = excluded.is_metered, current_period_start = excluded.current_period_start,
                    current_period_end = excluded.current_period_end
                """)
            for item in items {
                try upsert.execute(arguments: [
                    item.stripeSubscriptionItemID, item.subscriptionID, item.customerID, item.productID, item.priceID,
                    item.quantity, item.isMetered, item.currentPeriodStart.map(StoredTime.seconds),
                    item.currentPeriodEnd.map(StoredTime.seconds),
                ])
            }
            let kept = items.map(\.stripeSubscriptionItemID)
            let marks = kept.isEmpty ? "" : " AND stripe_subscription_item_id NOT IN (\(Array(repeating: "?", count: kept.count).joined(separator: ", ")))"
            try db.execute(sql: "DELETE FROM subscription_items WHERE subscription_id = ?\(marks)",
                           arguments: StatementArguments([sync.subscriptionID] + kept))
        case .ended:
            try db.execute(sql: "DELETE FROM subscription_items WHERE subscription_id = ?", arguments: [sync.subscriptionID])
        }
        try db.execute(sql: """
            INSERT INTO \(prefix)subscription_syncs (subscription_id, event_id, event_created, ended, customer_id)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (subscription_id) DO UPDATE SET
                event_id = excluded.event_id, event_created = excluded.event_created, ended = excluded.ended,
                customer_id = COALESCE(excluded.customer_id, \(prefix)subscription_syncs.customer_id)
            """, arguments: [sync.subscriptionID, sync.eventID, StoredTime.seconds(sync.eventCreated), sync.change == .ended,
                             sync.customerID])
        return .applied
    }

    /// A queue row read with `queue_id`, `event_id`, `status`, `retry_count`, `next_retry_at`, `last_error`.
    private static func queueEntry(_ row: Row) throws -> EventQueueEntry {
        let raw: String = row["status"]
        guard let status = EventQueueStatus(rawValue: raw) else {
            throw StoredRecordInvalid(table: "stripe_event_queue", id: row["queue_id"],
                                      problem: "status '\(raw)', which is none of \(EventQueueStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return EventQueueEntry(eventID: row["event_id"], status: status, retryCount: row["retry_count"],
                               nextRetryAt: (row["next_retry_at"] as Int64?).map(StoredTime.date), lastError: row["last_error"])
    }
}
