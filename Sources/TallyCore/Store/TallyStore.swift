import Foundation

/// Everything the jobs keep or read in a database, behind one interface so SQLite and PostgreSQL are
/// interchangeable: a use-case never knows which backend it talks to.
///
/// Each backend runs Tally's migrations when it opens, and reads the app's usage through the configured
/// usage query (`UsageQuery`), never by naming the app's columns itself.
///
/// Open one with `openStore(_:logger:)`. Times are stored as whole unix seconds (UTC), so sub-second parts
/// of the dates handed in are dropped.
public typealias TallyStore = StoreMaintenance & JobRunStore & JobLockProvider & APICallRecorder & UsageSource
    & StripeEventStore & SubscriptionListingStore & ReconciliationStore & ReportingSource & MeterEventDeliveryStore
    & UsageAlertStore & BillingEventStore & AlertDigestStore & CustomerNameCache & InvoiceLookup

/// The store's own upkeep, for the composition root and the tests: which backend, closing, and what the
/// migrations and the call log hold.
public protocol StoreMaintenance: Sendable {
    /// Which backend this is, for logs and the run record.
    var backend: StoreBackend { get }
    /// Closes connections; the store is unusable afterwards.
    func close() async throws
    /// The API calls recorded for `runID` (every call when `nil`), oldest first.
    func apiCalls(runID: Int64?) async throws -> [APICallRecord]
    /// The names of the tables in the database, to check what the migrations created.
    func tableNames() async throws -> Set<String>
    /// The identifiers of the applied migrations, oldest first.
    func appliedMigrations() async throws -> [String]
}

/// The database engines Tally supports.
public enum StoreBackend: String, Sendable {
    case sqlite
    case postgres
}
