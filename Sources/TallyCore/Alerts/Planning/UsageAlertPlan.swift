import Foundation

/// What one `tally-alerts` run should record and send, worked out by `UsageAlertPlanner` before anything is
/// written: the ledger rows to claim, the caps the app's access check reads, and the notices per team and channel.
struct UsageAlertPlan: Sendable, Equatable {
    /// New ledger rows, one per team, period, crossed threshold and channel.
    var claims: [UsageNotificationRecord] = []
    /// Every evaluated team's cap for its current period.
    var caps: [UsageCapRecord] = []
    /// Every evaluated team's figures, in team order (the report's rows).
    var evaluations: [TeamEvaluation] = []
    /// What to send, team by team in team order.
    var notices: [TeamNotices] = []
    /// Teams at the hard limit that were not blocked before.
    var newlyBlocked: [String] = []
    /// Teams blocked before and under the hard limit now (an upgrade lowered the ratio).
    var unblocked: [String] = []
    /// Teams at the hard limit.
    var blocked = 0

    /// Team and threshold pairs newly recorded (a threshold counts once, whatever its channels).
    var recordedThresholds: Int {
        Set(claims.map { "\($0.key.teamID)|\($0.key.threshold)" }).count
    }
}
