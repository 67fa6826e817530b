import Foundation

/// Keeps what `tally-reconcile` found, for the reports, the next run and `tally-retry`:
/// `tally_reconciliation_runs` (one per meter and run), `tally_reconciliation_windows` (every compared
/// window), `tally_discrepancies` and `tally_discrepancy_rows` (the usage rows `tally-retry` re-sends).
public protocol ReconciliationStore: Sendable {
    /// Stores one meter's reconciliation (run, windows, discrepancies and their rows) in one transaction,
    /// and returns the new reconciliation run's id.
    func saveReconciliation(_ reconciliation: MeterReconciliation, jobRunID: Int64?, createdAt: Date) async throws -> Int64

    /// The stored reconciliation runs of a job run (every one when `nil`), newest first.
    func reconciliationRuns(jobRunID: Int64?) async throws -> [StoredReconciliationRun]

    /// The discrepancies of a reconciliation run, with the usage row ids of each, in stored order.
    func discrepancies(reconciliationRunID: Int64) async throws -> [StoredDiscrepancy]

    /// The windows compared in a reconciliation run, in stored order.
    func reconciliationWindows(reconciliationRunID: Int64) async throws -> [ReconciliationWindow]

    /// Which of `customerIDs` appear in the app's usage at all (any time), so a Stripe customer with no
    /// usage in the range is told apart from one no team knows.
    func customersWithUsage(among customerIDs: [String]) async throws -> Set<String>
}

/// One row of `tally_reconciliation_runs`.
public struct StoredReconciliationRun: Sendable, Equatable {
    public var id: Int64
    public var jobRunID: Int64?
    public var meterID: String
    public var formula: String
    public var start: Date
    public var end: Date
    public var customers: Int64
    public var localTotal: Int64
    public var stripeTotal: Int64
    public var discrepancies: Int64
    public var absoluteDiscrepancy: Int64
    public var badRows: BadUsageRows
    public var failedCustomers: Int64
    /// `clean`, `discrepancies` or `incomplete` (some customers could not be compared).
    public var status: String
    public var createdAt: Date

    public init(id: Int64, jobRunID: Int64?, meterID: String, formula: String, start: Date, end: Date, customers: Int64,
                localTotal: Int64, stripeTotal: Int64, discrepancies: Int64, absoluteDiscrepancy: Int64,
                badRows: BadUsageRows, failedCustomers: Int64, status: String, createdAt: Date) {
        self.id = id
        self.jobRunID = jobRunID
        self.meterID = meterID
        self.formula = formula
        self.start = start
        self.end = end
        self.customers = customers
        self.localTotal = localTotal
        self.stripeTotal = stripeTotal
        self.discrepancies = discrepancies
        self.absoluteDiscrepancy = absoluteDiscrepancy
        self.badRows = badRows
        self.failedCustomers = failedCustomers
        self.status = status
        self.createdAt = createdAt
    }
}

/// One row of `tally_discrepancies` with its usage rows.
public struct StoredDiscrepancy: Sendable, Equatable {
    public var id: Int64
    public var reconciliationRunID: Int64
    public var discrepancy: Discrepancy
    /// Set by whoever closes it (e.g. `tally-retry`); `nil` while open.
    public var resolution: String?

    public init(id: Int64, reconciliationRunID: Int64, discrepancy: Discrepancy, resolution: String?) {
        self.id = id
        self.reconciliationRunID = reconciliationRunID
        self.discrepancy = discrepancy
        self.resolution = resolution
    }
}

extension MeterReconciliation {
    /// The status stored for the run.
    var storedStatus: String {
        if !failedCustomers.isEmpty { return "incomplete" }
        return discrepancies.isEmpty ? "clean" : "discrepancies"
    }
}
