import Foundation
import Logging
import PostgresNIO

extension PostgresStore {
    func latestSubscriptionListing() async throws -> SubscriptionListingRecord? {
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: """
                SELECT id, listed_at, finished_at, reason, subscriptions, items FROM \(prefix)subscription_sync_runs
                ORDER BY listed_at DESC, id DESC LIMIT 1
                """),
            logger: logger)
        for try await (id, listedAt, finishedAt, reason, subscriptions, items)
            in rows.decode((Int64, Int64, Int64, String, Int32, Int32).self) {
            guard let parsed = SubscriptionListingReason(rawValue: reason) else {
                throw StoredRecordInvalid(table: "\(prefix)subscription_sync_runs", id: id,
                                          problem: "reason '\(reason)', which is none of \(SubscriptionListingReason.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return SubscriptionListingRecord(listedAt: StoredTime.date(listedAt), finishedAt: StoredTime.date(finishedAt),
                                             reason: parsed, subscriptions: Int(subscriptions), items: Int(items))
        }
        return nil
    }

    func syncedSubscriptions() async throws -> [SyncedSubscription] {
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: """
                SELECT subscription_id, customer_id, ended, event_created FROM \(prefix)subscription_syncs ORDER BY subscription_id
                """),
            logger: logger)
        var synced: [SyncedSubscription] = []
        for try await (subscription, customer, ended, created) in rows.decode((String, String?, Bool, Int64).self) {
            synced.append(SyncedSubscription(subscriptionID: subscription, customerID: customer, ended: ended,
                                             syncedAt: StoredTime.date(created)))
        }
        return synced
    }

    func teamSubscriptionReferences() async throws -> [TeamSubscriptionReference] {
        // The app's schema is the app's: read the subscription column only where it exists (on the search path).
        let columnRows = try await client.query(
            """
            SELECT lower(column_name::text) FROM information_schema.columns
            WHERE table_name = 'teams' AND table_schema = ANY (current_schemas(false))
            """,
            logger: logger)
        var columns = Set<String>()
        for try await column in columnRows.decode(String.self) { columns.insert(column) }
        guard !columns.isEmpty else { return [] }
        let subscription = columns.contains("stripe_subscription_id") ? "stripe_subscription_id::text" : "NULL::text"
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: """
                SELECT id::text, stripe_customer_id::text, \(subscription) FROM teams ORDER BY id
                """),
            logger: logger)
        var teams: [TeamSubscriptionReference] = []
        for try await (id, customer, subscriptionID) in rows.decode((String, String?, String?).self) {
            teams.append(TeamSubscriptionReference(teamID: id, customerID: customer, subscriptionID: subscriptionID))
        }
        return teams
    }

    func applyListedSubscriptions(_ syncs: [SubscriptionSync]) async throws -> [SubscriptionSyncOutcome] {
        guard !syncs.isEmpty else { return [] }
        let logger = self.logger
        let prefix = self.prefix
        return try await transaction { connection in
            var outcomes: [SubscriptionSyncOutcome] = []
            for sync in syncs {
                outcomes.append(try await Self.apply(sync, connection: connection, prefix: prefix, logger: logger))
            }
            return outcomes
        }
    }

    func recordSubscriptionListing(_ listing: SubscriptionListingRecord) async throws {
        var binds = PostgresBindings()
        binds.append(StoredTime.seconds(listing.listedAt))
        binds.append(StoredTime.seconds(listing.finishedAt))
        binds.append(listing.reason.rawValue)
        binds.append(Int32(clamping: listing.subscriptions))
        binds.append(Int32(clamping: listing.items))
        try await client.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(prefix)subscription_sync_runs (listed_at, finished_at, reason, subscriptions, items)
                VALUES ($1, $2, $3, $4, $5)
                """, binds: binds),
            logger: logger)
    }
}
