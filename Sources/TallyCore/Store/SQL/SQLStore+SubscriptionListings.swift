import Foundation

extension SQLStore: SubscriptionListingStore {
    func latestSubscriptionListing() async throws -> SubscriptionListingRecord? {
        let table = "\(prefix)subscription_sync_runs"
        guard let row = try await sql.queryOne("""
            SELECT id, listed_at, finished_at, reason, subscriptions, items FROM \(raw: table)
            ORDER BY listed_at DESC, id DESC LIMIT 1
            """) else { return nil }
        let raw: String = try row["reason"]
        guard let reason = SubscriptionListingReason(rawValue: raw) else {
            throw StoredRecordInvalid(table: table, id: try row["id"],
                                      problem: "reason '\(raw)', which is none of \(SubscriptionListingReason.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return SubscriptionListingRecord(listedAt: try row["listed_at"], finishedAt: try row["finished_at"], reason: reason,
                                         subscriptions: try row["subscriptions"], items: try row["items"])
    }

    func syncedSubscriptions() async throws -> [SyncedSubscription] {
        try await sql.query("""
            SELECT subscription_id, customer_id, ended, event_created FROM \(raw: prefix)subscription_syncs ORDER BY subscription_id
            """).map { row in
            SyncedSubscription(subscriptionID: try row["subscription_id"], customerID: try row["customer_id"],
                               ended: try row["ended"], syncedAt: try row["event_created"])
        }
    }

    func teamSubscriptionReferences() async throws -> [TeamSubscriptionReference] {
        // The app's schema is the app's: read the subscription column only where it exists.
        let columns = try await database.columnNames(ofTable: "teams")
        guard !columns.isEmpty else { return [] }
        let subscription = columns.contains("stripe_subscription_id") ? "CAST(stripe_subscription_id AS TEXT)" : "CAST(NULL AS TEXT)"
        return try await sql.query("""
            SELECT CAST(id AS TEXT) AS id, CAST(stripe_customer_id AS TEXT) AS customer, \(raw: subscription) AS subscription
            FROM teams ORDER BY id
            """).map { row in
            TeamSubscriptionReference(teamID: try row["id"], customerID: try row["customer"], subscriptionID: try row["subscription"])
        }
    }

    func applyListedSubscriptions(_ syncs: [SubscriptionSync]) async throws -> [SubscriptionSyncOutcome] {
        guard !syncs.isEmpty else { return [] }
        let prefix = self.prefix
        return try await sql.transaction { sql in
            var outcomes: [SubscriptionSyncOutcome] = []
            for sync in syncs {
                outcomes.append(try await Self.apply(sync, sql: sql, prefix: prefix))
            }
            return outcomes
        }
    }

    func recordSubscriptionListing(_ listing: SubscriptionListingRecord) async throws {
        try await sql.execute("""
            INSERT INTO \(raw: prefix)subscription_sync_runs (listed_at, finished_at, reason, subscriptions, items)
            VALUES (\(listing.listedAt), \(listing.finishedAt), \(listing.reason.rawValue),
                    \(Int32(clamping: listing.subscriptions)), \(Int32(clamping: listing.items)))
            """)
    }
}
