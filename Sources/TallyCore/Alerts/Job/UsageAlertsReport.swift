import Foundation

/// `reports/YYYY-MM-DD/alerts.csv`: every team with its allowance, usage, ratio, block flag and projection,
/// or why it was skipped (no subscription, no plan mapping), so an unmapped team is reported, never guessed.
enum UsageAlertsReport {
    static let fileName = "alerts.csv"

    static func table(evaluations: [TeamEvaluation], skipped: [String: TeamAllowance.SkipReason], teams: [TeamRecord],
                      thresholds: AlertThresholds) -> ReportTable {
        var table = ReportTable(name: "alerts", columns: [
            // Title Case, as every other report's headers; the ratios as percentages, so 0.8146 never reads as
            // a count.
            "Team ID", "Team", "Status", "Reason", "Period Start", "Period End", "Allowance (Tokens)", "Used (Tokens)",
            "Used (% of Allowance)", "Highest Threshold Crossed (%)", "Blocked", "Projected Limit Date",
        ])
        for evaluation in evaluations {
            let ratio = evaluation.allowance > 0 ? Double(evaluation.used) / Double(evaluation.allowance) : 0
            let highest = thresholds.crossed(by: ratio).max()
            table.append([
                .text(evaluation.team.id), .text(evaluation.team.name), "evaluated", .blank,
                .date(evaluation.period.start), .date(evaluation.period.end), .integer(evaluation.allowance),
                .integer(evaluation.used), .percent(Decimal(string: String(format: "%.4f", ratio)) ?? 0),
                highest.map { .percent(Decimal(string: String($0)) ?? 0) } ?? .blank,
                .boolean(ratio >= thresholds.hardLimit), evaluation.projectedLimitAt.map { .date($0) } ?? .blank,
            ])
        }
        for team in teams {
            guard let reason = skipped[team.id] else { continue }
            table.append([.text(team.id), .text(team.name), "skipped", .text(reason.description), .blank, .blank, .blank,
                          .blank, .blank, .blank, .blank, .blank])
        }
        return table
    }
}
