import Foundation

/// One team's figures for this run.
struct TeamEvaluation: Sendable, Equatable {
    var team: TeamRecord
    var period: TeamBillingPeriod
    var used: Int64
    var allowance: Int64
    var projectedLimitAt: Date?
    /// Ledger rows of this period from earlier runs that were not delivered.
    var earlierPending: [UsageNotificationRecord]
}
