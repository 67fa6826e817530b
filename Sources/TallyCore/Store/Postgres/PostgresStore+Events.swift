import Foundation
import Logging
import PostgresNIO

extension PostgresStore {
    func newestStripeEventCreated() async throws -> Date? {
        let rows = try await client.query("SELECT MAX(created_at) FROM stripe_events", logger: logger)
        for try await newest in rows.decode(Int64?.self) { return newest.map(StoredTime.date) }
        return nil
    }

    func storedStripeEventIDs(among eventIDs: [String]) async throws -> Set<String> {
        guard !eventIDs.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(eventIDs)
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: "SELECT event_id FROM stripe_events WHERE event_id = ANY($1)", binds: binds),
            logger: logger)
        var found = Set<String>()
        for try await id in rows.decode(String.self) { found.insert(id) }
        return found
    }

    func storeAndQueue(_ events: [StripeEventRecord]) async throws -> Int {
        guard !events.isEmpty else { return 0 }
        let logger = self.logger
        return try await transaction { connection in
            var stored = 0
            for event in events {
                var binds = PostgresBindings()
                binds.append(event.eventID)
                binds.append(event.eventType)
                binds.append(StoredTime.seconds(event.created))
                binds.append(event.payload)
                let rows = try await connection.query(
                    PostgresQuery(unsafeSQL: """
                        INSERT INTO stripe_events (event_id, event_type, processed, created_at, payload)
                        VALUES ($1, $2, false, $3, $4)
                        ON CONFLICT (event_id) DO NOTHING
                        RETURNING id
                        """, binds: binds),
                    logger: logger)
                var inserted = false
                for try await _ in rows.decode(Int64.self) { inserted = true }
                // Only a newly stored event is queued: one already stored was queued (or handled) before.
                guard inserted else { continue }
                stored += 1
                var queueBinds = PostgresBindings()
                queueBinds.append(event.eventID)
                try await connection.query(
                    PostgresQuery(unsafeSQL: """
                        INSERT INTO stripe_event_queue (event_id, status, retry_count)
                        VALUES ($1, 'pending', 0)
                        ON CONFLICT (event_id) DO NOTHING
                        """, binds: queueBinds),
                    logger: logger)
            }
            return stored
        }
    }

    func dueStripeEvents(now: Date, after cursor: DueStripeEvent.Cursor?, limit: Int) async throws -> [DueStripeEvent] {
        var binds = PostgresBindings()
        binds.append(StoredTime.seconds(now))
        binds.append(cursor.map { StoredTime.seconds($0.created) })
        binds.append(cursor?.rowID)
        binds.append(Int64(limit))
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: """
                SELECT e.id, e.event_id, e.event_type, e.created_at, e.payload, e.processed,
                       q.id, q.status, q.retry_count, q.next_retry_at, q.last_error
                FROM stripe_event_queue q
                JOIN stripe_events e ON e.event_id = q.event_id
                WHERE (q.status = 'pending' OR (q.status = 'failed' AND q.next_retry_at <= $1))
                  AND ($2::bigint IS NULL OR e.created_at > $2 OR (e.created_at = $2 AND e.id > $3::bigint))
                ORDER BY e.created_at, e.id
                LIMIT $4
                """, binds: binds),
            logger: logger)
        var due: [DueStripeEvent] = []
        for try await (rowID, eventID, type, created, payload, processed, queueID, status, retries, nextRetry, lastError)
            in rows.decode((Int64, String, String, Int64, String, Bool, Int64, String, Int32, Int64?, String?).self) {
            let event = StripeEventRecord(eventID: eventID, eventType: type, created: StoredTime.date(created),
                                          payload: payload, processed: processed)
            let entry = try Self.queueEntry(queueID: queueID, eventID: eventID, status: status, retryCount: retries,
                                            nextRetryAt: nextRetry, lastError: lastError)
            due.append(DueStripeEvent(event: event, entry: entry, cursor: .init(created: event.created, rowID: rowID)))
        }
        return due
    }

    func completeStripeEvent(_ eventID: String, applying sync: SubscriptionSync?) async throws -> SubscriptionSyncOutcome {
        let logger = self.logger
        let prefix = self.prefix
        return try await transaction { connection in
            var outcome = SubscriptionSyncOutcome.nothingToSync
            if let sync {
                outcome = try await Self.apply(sync, connection: connection, prefix: prefix, logger: logger)
            }
            var binds = PostgresBindings()
            binds.append(eventID)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    UPDATE stripe_event_queue SET status = 'done', next_retry_at = NULL WHERE event_id = $1 RETURNING id
                    """, binds: binds),
                logger: logger)
            var updated = false
            for try await _ in rows.decode(Int64.self) { updated = true }
            guard updated else { throw StripeEventNotQueued(eventID: eventID) }
            try await connection.query(
                PostgresQuery(unsafeSQL: "UPDATE stripe_events SET processed = true WHERE event_id = $1", binds: binds),
                logger: logger)
            return outcome
        }
    }

    func failStripeEvent(_ eventID: String, attempt: EventQueueFailure) async throws {
        var binds = PostgresBindings()
        binds.append(attempt.status.rawValue)
        binds.append(Int32(clamping: attempt.retryCount))
        binds.append(attempt.nextRetryAt.map(StoredTime.seconds))
        binds.append(attempt.lastError)
        binds.append(eventID)
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: """
                UPDATE stripe_event_queue SET status = $1, retry_count = $2, next_retry_at = $3, last_error = $4
                WHERE event_id = $5
                RETURNING id
                """, binds: binds),
            logger: logger)
        var updated = false
        for try await _ in rows.decode(Int64.self) { updated = true }
        guard updated else { throw StripeEventNotQueued(eventID: eventID) }
    }

    func stripeEventQueue(status: EventQueueStatus?) async throws -> [EventQueueEntry] {
        var binds = PostgresBindings()
        binds.append(status?.rawValue)
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: """
                SELECT q.id, q.event_id, q.status, q.retry_count, q.next_retry_at, q.last_error
                FROM stripe_event_queue q
                LEFT JOIN stripe_events e ON e.event_id = q.event_id
                WHERE $1::text IS NULL OR q.status = $1
                ORDER BY e.created_at, e.id, q.id
                """, binds: binds),
            logger: logger)
        var entries: [EventQueueEntry] = []
        for try await (queueID, eventID, status, retries, nextRetry, lastError)
            in rows.decode((Int64, String, String, Int32, Int64?, String?).self) {
            entries.append(try Self.queueEntry(queueID: queueID, eventID: eventID, status: status, retryCount: retries,
                                               nextRetryAt: nextRetry, lastError: lastError))
        }
        return entries
    }

    func stripeEvent(id eventID: String) async throws -> StripeEventRecord? {
        var binds = PostgresBindings()
        binds.append(eventID)
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: """
                SELECT event_id, event_type, created_at, payload, processed FROM stripe_events WHERE event_id = $1
                """, binds: binds),
            logger: logger)
        for try await (id, type, created, payload, processed) in rows.decode((String, String, Int64, String, Bool).self) {
            return StripeEventRecord(eventID: id, eventType: type, created: StoredTime.date(created), payload: payload,
                                     processed: processed)
        }
        return nil
    }

    func subscriptionItems(subscriptionID: String?) async throws -> [SubscriptionItemRecord] {
        var binds = PostgresBindings()
        binds.append(subscriptionID)
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: """
                SELECT stripe_subscription_item_id, subscription_id, customer_id, product_id, price_id, quantity, is_metered,
                       current_period_start, current_period_end
                FROM subscription_items
                WHERE $1::text IS NULL OR subscription_id = $1
                ORDER BY subscription_id, stripe_subscription_item_id
                """, binds: binds),
            logger: logger)
        var items: [SubscriptionItemRecord] = []
        for try await (itemID, subscription, customer, product, price, quantity, metered, start, end)
            in rows.decode((String, String, String?, String?, String?, Int64?, Bool, Int64?, Int64?).self) {
            items.append(SubscriptionItemRecord(
                stripeSubscriptionItemID: itemID, subscriptionID: subscription, customerID: customer, productID: product,
                priceID: price, quantity: quantity, isMetered: metered, currentPeriodStart: start.map(StoredTime.date),
                currentPeriodEnd: end.map(StoredTime.date)))
        }
        return items
    }

    /// Runs `body` in one transaction, throwing `body`'s own error (not postgres-nio's wrapper) when it fails,
    /// so callers see a `TallyFailure` with its exit code.
    func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error
        }
    }

    /// Writes `sync` unless a newer event (or the cancellation) already synced the subscription.
    static func apply(_ sync: SubscriptionSync, connection: PostgresConnection, prefix: String,
                              logger: Logger) async throws -> SubscriptionSyncOutcome {
        var subscriptionBinds = PostgresBindings()
        subscriptionBinds.append(sync.subscriptionID)
        // FOR UPDATE: a concurrent writer of the same subscription waits until this transaction ends.
        let synced = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT event_created, ended FROM \(prefix)subscription_syncs WHERE subscription_id = $1 FOR UPDATE
                """, binds: subscriptionBinds),
            logger: logger)
        var stale = false
        for try await (created, ended) in synced.decode((Int64, Bool).self) {
            stale = ended || created > StoredTime.seconds(sync.eventCreated)
        }
        if stale { return .skippedAsStale }
        switch sync.change {
        case .items(let items):
            for item in items {
                var binds = PostgresBindings()
                binds.append(item.stripeSubscriptionItemID)
                binds.append(item.subscriptionID)
                binds.append(item.customerID)
                binds.append(item.productID)
                binds.append(item.priceID)
                binds.append(item.quantity)
                binds.append(item.isMetered)
                binds.append(item.currentPeriodStart.map(StoredTime.seconds))
                binds.append(item.currentPeriodEnd.map(StoredTime.seconds))
                try await connection.query(
                    PostgresQuery(unsafeSQL: """
                        INSERT INTO subscription_items (stripe_subscription_item_id, subscription_id, customer_id, product_id,
                                                        price_id, quantity, is_metered, current_period_start, current_period_end)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                        ON CONFLICT (stripe_subscription_item_id) DO UPDATE SET
                            subscription_id = excluded.subscription_id, customer_id = excluded.customer_id,
                            product_id = excluded.product_id, price_id = excluded.price_id, quantity = excluded.quantity,
                            is_metered = excluded.is_metered, current_period_start = excluded.current_period_start,
                            current_period_end = excluded.current_period_end
                        """, binds: binds),
                    logger: logger)
            }
            var binds = subscriptionBinds
            binds.append(items.map(\.stripeSubscriptionItemID))
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    DELETE FROM subscription_items WHERE subscription_id = $1 AND NOT (stripe_subscription_item_id = ANY($2))
                    """, binds: binds),
                logger: logger)
        case .ended:
            try await connection.query(
                PostgresQuery(unsafeSQL: "DELETE FROM subscription_items WHERE subscription_id = $1", binds: subscriptionBinds),
                logger: logger)
        }
        var binds = subscriptionBinds
        binds.append(sync.eventID)
        binds.append(StoredTime.seconds(sync.eventCreated))
        binds.append(sync.change == .ended)
        binds.append(sync.customerID)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(prefix)subscription_syncs (subscription_id, event_id, event_created, ended, customer_id)
                VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (subscription_id) DO UPDATE SET
                    event_id = excluded.event_id, event_created = excluded.event_created, ended = excluded.ended,
                    customer_id = COALESCE(excluded.customer_id, \(prefix)subscription_syncs.customer_id)
                """, binds: binds),
            logger: logger)
        return .applied
    }

    /// A queue row's values as an entry; a status Tally never writes is reported, not guessed.
    private static func queueEntry(queueID: Int64, eventID: String, status: String, retryCount: Int32, nextRetryAt: Int64?,
                                   lastError: String?) throws -> EventQueueEntry {
        guard let parsed = EventQueueStatus(rawValue: status) else {
            throw StoredRecordInvalid(table: "stripe_event_queue", id: queueID,
                                      problem: "status '\(status)', which is none of \(EventQueueStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return EventQueueEntry(eventID: eventID, status: parsed, retryCount: Int(retryCount),
                               nextRetryAt: nextRetryAt.map(StoredTime.date), lastError: lastError)
    }
}
