import Foundation

// `stripe_events`, `stripe_event_queue` and `subscription_items` are the integration plan's tables, shared
// with the app's webhook endpoint, so they carry no prefix.
extension SQLStore: StripeEventStore {
    func newestStripeEventCreated() async throws -> Date? {
        try await sql.queryOne("SELECT MAX(created_at) AS newest FROM stripe_events")?["newest"]
    }

    func storedStripeEventIDs(among eventIDs: [String]) async throws -> Set<String> {
        var found = Set<String>()
        for batch in SQLStatement.batches(eventIDs) {
            for row in try await sql.query("SELECT event_id FROM stripe_events WHERE event_id IN (\(list: Array(batch)))") {
                found.insert(try row["event_id"])
            }
        }
        return found
    }

    func storeAndQueue(_ events: [StripeEventRecord]) async throws -> Int {
        guard !events.isEmpty else { return 0 }
        return try await sql.transaction { sql in
            var stored = 0
            for event in events {
                let inserted = try await sql.query("""
                    INSERT INTO stripe_events (event_id, event_type, processed, created_at, payload)
                    VALUES (\(event.eventID), \(event.eventType), FALSE, \(event.created), \(event.payload))
                    ON CONFLICT (event_id) DO NOTHING
                    RETURNING id
                    """)
                // Only a newly stored event is queued: one already stored was queued (or handled) before.
                guard !inserted.isEmpty else { continue }
                stored += 1
                try await sql.execute("""
                    INSERT INTO stripe_event_queue (event_id, status, retry_count)
                    VALUES (\(event.eventID), 'pending', 0)
                    ON CONFLICT (event_id) DO NOTHING
                    """)
            }
            return stored
        }
    }

    func dueStripeEvents(now: Date, after cursor: DueStripeEvent.Cursor?, limit: Int) async throws -> [DueStripeEvent] {
        let created = cursor?.created
        let rowID = cursor?.rowID
        return try await sql.query("""
            SELECT e.id, e.event_id, e.event_type, e.created_at, e.payload, e.processed,
                   q.id AS queue_id, q.status, q.retry_count, q.next_retry_at, q.last_error
            FROM stripe_event_queue q
            JOIN stripe_events e ON e.event_id = q.event_id
            WHERE (q.status = 'pending' OR (q.status = 'failed' AND q.next_retry_at <= \(now)))
              AND (CAST(\(created) AS BIGINT) IS NULL OR e.created_at > \(created)
                   OR (e.created_at = \(created) AND e.id > CAST(\(rowID) AS BIGINT)))
            ORDER BY e.created_at, e.id
            LIMIT \(limit)
            """).map { row in
            let event = try Self.event(row)
            return DueStripeEvent(event: event, entry: try Self.queueEntry(row), cursor: .init(created: event.created, rowID: try row["id"]))
        }
    }

    func completeStripeEvent(_ eventID: String, applying sync: SubscriptionSync?) async throws -> SubscriptionSyncOutcome {
        let prefix = self.prefix
        return try await sql.transaction { sql in
            let outcome = if let sync { try await Self.apply(sync, sql: sql, prefix: prefix) } else { SubscriptionSyncOutcome.nothingToSync }
            let updated = try await sql.query("""
                UPDATE stripe_event_queue SET status = 'done', next_retry_at = NULL WHERE event_id = \(eventID) RETURNING id
                """)
            guard updated.count == 1 else { throw StripeEventNotQueued(eventID: eventID) }
            try await sql.execute("UPDATE stripe_events SET processed = TRUE WHERE event_id = \(eventID)")
            return outcome
        }
    }

    func failStripeEvent(_ eventID: String, attempt: EventQueueFailure) async throws {
        let updated = try await sql.query("""
            UPDATE stripe_event_queue
            SET status = \(attempt.status.rawValue), retry_count = \(Int32(clamping: attempt.retryCount)),
                next_retry_at = \(attempt.nextRetryAt), last_error = \(attempt.lastError)
            WHERE event_id = \(eventID)
            RETURNING id
            """)
        guard updated.count == 1 else { throw StripeEventNotQueued(eventID: eventID) }
    }

    func stripeEventQueue(status: EventQueueStatus?) async throws -> [EventQueueEntry] {
        let raw = status?.rawValue
        return try await sql.query("""
            SELECT q.id AS queue_id, q.event_id, q.status, q.retry_count, q.next_retry_at, q.last_error
            FROM stripe_event_queue q
            LEFT JOIN stripe_events e ON e.event_id = q.event_id
            WHERE CAST(\(raw) AS TEXT) IS NULL OR q.status = \(raw)
            ORDER BY e.created_at, e.id, q.id
            """).map(Self.queueEntry)
    }

    func stripeEvent(id eventID: String) async throws -> StripeEventRecord? {
        try await sql.queryOne("""
            SELECT event_id, event_type, created_at, payload, processed FROM stripe_events WHERE event_id = \(eventID)
            """).map(Self.event)
    }

    func subscriptionItems(subscriptionID: String?) async throws -> [SubscriptionItemRecord] {
        try await sql.query("""
            SELECT stripe_subscription_item_id, subscription_id, customer_id, product_id, price_id, quantity, is_metered,
                   current_period_start, current_period_end
            FROM subscription_items
            WHERE CAST(\(subscriptionID) AS TEXT) IS NULL OR subscription_id = \(subscriptionID)
            ORDER BY subscription_id, stripe_subscription_item_id
            """).map { row in
            SubscriptionItemRecord(
                stripeSubscriptionItemID: try row["stripe_subscription_item_id"], subscriptionID: try row["subscription_id"],
                customerID: try row["customer_id"], productID: try row["product_id"], priceID: try row["price_id"],
                quantity: try row["quantity"], isMetered: try row["is_metered"],
                currentPeriodStart: try row["current_period_start"], currentPeriodEnd: try row["current_period_end"])
        }
    }

    /// Writes `sync` unless a newer event (or the cancellation) already synced the subscription. Runs inside
    /// the caller's transaction.
    static func apply(_ sync: SubscriptionSync, sql: any SQLExecutor, prefix: String) async throws -> SubscriptionSyncOutcome {
        // Locking read: a concurrent writer of the same subscription waits until this transaction ends.
        if let synced = try await sql.queryOne("""
            SELECT event_created, ended FROM \(raw: prefix)subscription_syncs WHERE subscription_id = \(sync.subscriptionID)\(raw: sql.backend.lockingRead)
            """) {
            let created: Int64 = try synced["event_created"]
            let ended: Bool = try synced["ended"]
            if ended || created > StoredTime.seconds(sync.eventCreated) { return .skippedAsStale }
        }
        switch sync.change {
        case .items(let items):
            for item in items {
                try await sql.execute("""
                    INSERT INTO subscription_items (stripe_subscription_item_id, subscription_id, customer_id, product_id, price_id,
                                                    quantity, is_metered, current_period_start, current_period_end)
                    VALUES (\(item.stripeSubscriptionItemID), \(item.subscriptionID), \(item.customerID), \(item.productID),
                            \(item.priceID), \(item.quantity), \(item.isMetered), \(item.currentPeriodStart), \(item.currentPeriodEnd))
                    ON CONFLICT (stripe_subscription_item_id) DO UPDATE SET
                        subscription_id = excluded.subscription_id, customer_id = excluded.customer_id,
                        product_id = excluded.product_id, price_id = excluded.price_id, quantity = excluded.quantity,
                        is_metered = excluded.is_metered, current_period_start = excluded.current_period_start,
                        current_period_end = excluded.current_period_end
                    """)
            }
            let kept = items.map(\.stripeSubscriptionItemID)
            let others: SQLStatement = kept.isEmpty ? "" : " AND stripe_subscription_item_id NOT IN (\(list: kept))"
            try await sql.execute("DELETE FROM subscription_items WHERE subscription_id = \(sync.subscriptionID)\(others)")
        case .ended:
            try await sql.execute("DELETE FROM subscription_items WHERE subscription_id = \(sync.subscriptionID)")
        }
        try await sql.execute("""
            INSERT INTO \(raw: prefix)subscription_syncs (subscription_id, event_id, event_created, ended, customer_id)
            VALUES (\(sync.subscriptionID), \(sync.eventID), \(sync.eventCreated), \(sync.change == .ended), \(sync.customerID))
            ON CONFLICT (subscription_id) DO UPDATE SET
                event_id = excluded.event_id, event_created = excluded.event_created, ended = excluded.ended,
                customer_id = COALESCE(excluded.customer_id, \(raw: prefix)subscription_syncs.customer_id)
            """)
        return .applied
    }

    private static func event(_ row: SQLRow) throws -> StripeEventRecord {
        StripeEventRecord(eventID: try row["event_id"], eventType: try row["event_type"], created: try row["created_at"],
                          payload: try row["payload"], processed: try row["processed"])
    }

    /// A queue row read with `queue_id`, `event_id`, `status`, `retry_count`, `next_retry_at`, `last_error`;
    /// a status Tally never writes is reported, not guessed.
    private static func queueEntry(_ row: SQLRow) throws -> EventQueueEntry {
        let raw: String = try row["status"]
        guard let status = EventQueueStatus(rawValue: raw) else {
            throw StoredRecordInvalid(table: "stripe_event_queue", id: try row["queue_id"],
                                      problem: "status '\(raw)', which is none of \(EventQueueStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return EventQueueEntry(eventID: try row["event_id"], status: status, retryCount: try row["retry_count"],
                               nextRetryAt: try row["next_retry_at"], lastError: try row["last_error"])
    }
}
