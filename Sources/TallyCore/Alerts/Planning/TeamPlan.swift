import Foundation

/// A team with an allowance for its current billing period, ready to be evaluated.
struct TeamPlan: Sendable, Equatable {
    var team: TeamRecord
    var tokens: Int64
    var period: TeamBillingPeriod
}
