import Foundation
import GRDB

extension SQLiteStore {
    func latestSubscriptionListing() async throws -> SubscriptionListingRecord? {
        try await writer.read { [prefix] db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT id, listed_at, finished_at, reason, subscriptions, items FROM \(prefix)subscription_sync_runs
                ORDER BY listed_at DESC, id DESC LIMIT 1
                """) else { return nil }
            return try Self.listing(row, table: "\(prefix)subscription_sync_runs")
        }
    }

    func syncedSubscriptions() async throws -> [SyncedSubscription] {
        try await writer.read { [prefix] db in
            try Row.fetchAll(db, sql: """
                SELECT subscription_id, customer_id, ended, event_created FROM \(prefix)subscription_syncs ORDER BY subscription_id
                """).map { row in
                SyncedSubscription(subscriptionID: row["subscription_id"], customerID: row["customer_id"], ended: row["ended"],
                                   syncedAt: StoredTime.date(row["event_created"]))
            }
        }
    }

    func teamSubscriptionReferences() async throws -> [TeamSubscriptionReference] {
        try await writer.read { db in
            // The app's schema is the app's: read the subscription column only where it exists.
            let columns = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(teams)").map { ($0["name"] as String).lowercased() })
            guard !columns.isEmpty else { return [] }
            let subscription = columns.contains("stripe_subscription_id") ? "CAST(stripe_subscription_id AS TEXT)" : "NULL"
            return try Row.fetchAll(db, sql: """
                SELECT CAST(id AS TEXT) AS id, CAST(stripe_customer_id AS TEXT) AS customer, \(subscription) AS subscription
                FROM teams ORDER BY id
                """).map { row in
                TeamSubscriptionReference(teamID: row["id"], customerID: row["customer"], subscriptionID: row["subscription"])
            }
        }
    }

    func applyListedSubscriptions(_ syncs: [SubscriptionSync]) async throws -> [SubscriptionSyncOutcome] {
        guard !syncs.isEmpty else { return [] }
        return try await writer.write { [prefix] db in
            try syncs.map { try Self.apply($0, db: db, prefix: prefix) }
        }
    }

    func recordSubscriptionListing(_ listing: SubscriptionListingRecord) async throws {
        try await writer.write { [prefix] db in
            try db.execute(sql: """
                INSERT INTO \(prefix)subscription_sync_runs (listed_at, finished_at, reason, subscriptions, items)
                VALUES (?, ?, ?, ?, ?)
                """, arguments: [StoredTime.seconds(listing.listedAt), StoredTime.seconds(listing.finishedAt),
                                 listing.reason.rawValue, listing.subscriptions, listing.items])
        }
    }

    private static func listing(_ row: Row, table: String) throws -> SubscriptionListingRecord {
        let raw: String = row["reason"]
        guard let reason = SubscriptionListingReason(rawValue: raw) else {
            throw StoredRecordInvalid(table: table, id: row["id"],
                                      problem: "reason '\(raw)', which is none of \(SubscriptionListingReason.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return SubscriptionListingRecord(listedAt: StoredTime.date(row["listed_at"]), finishedAt: StoredTime.date(row["finished_at"]),
                                         reason: reason, subscriptions: row["subscriptions"], items: row["items"])
    }
}
