import Foundation

/// What one `tally-alerts` run found and did.
public struct UsageAlertsSummary: Sendable, Equatable {
    /// Teams with an allowance and a current period, evaluated against it.
    public var evaluated = 0
    /// Teams not evaluated, with why (no customer, no active subscription, subscription not synced yet, no plan
    /// mapping), by team id.
    public var skipped: [String: TeamAllowance.SkipReason] = [:]
    /// Notices delivered (one per team and channel), and those that failed and stay due.
    public var delivered = 0
    public var failed = 0
    /// Thresholds newly recorded in the ledger.
    public var recorded = 0
    /// Teams blocked in this run, unblocked in this run (plan upgrade or new period), and blocked now.
    public var newlyBlocked: [String] = []
    public var unblocked: [String] = []
    public var blocked = 0
    /// `alerts.csv`: every team's figures, or why it was skipped.
    public var reportFile: URL?
    public var dryRun: Bool

    public init(dryRun: Bool) { self.dryRun = dryRun }

    /// Teams whose plan maps to no allowance: reported, never guessed.
    public var unmapped: [String] {
        skipped.filter { if case .unmappedPlan = $0.value { true } else { false } }.keys.sorted()
    }

    /// Teams naming a subscription Tally has not synced yet: not evaluated, so a person should look.
    public var notSynced: [String] {
        skipped.filter { if case .subscriptionNotSynced = $0.value { true } else { false } }.keys.sorted()
    }

    /// Exit 1 when a team was blocked, a channel failed or a team's subscription is not synced yet (a person
    /// should look), else 0.
    public var jobReport: JobReport {
        JobReport(itemsProcessed: evaluated, itemsFailed: failed,
                  needsHuman: !newlyBlocked.isEmpty || failed > 0 || !notSynced.isEmpty, summary: line)
    }

    /// One line for the log and the run record.
    public var line: String {
        var text = "\(dryRun ? "dry run: " : "")\(evaluated) teams evaluated, \(skipped.count) skipped"
        let noSubscription = skipped.values.filter { $0 == .noActiveSubscription }.count
        if noSubscription > 0 { text += " (\(noSubscription) without an active subscription)" }
        let notSynced = self.notSynced
        if !notSynced.isEmpty {
            text += "; \(notSynced.count) teams name a subscription not synced yet (run tally-events): \(notSynced.prefix(10).joined(separator: ", "))"
        }
        text += dryRun ? "; would record \(recorded) thresholds" : "; \(recorded) thresholds recorded, \(delivered) notices sent, \(failed) failed (retried next run)"
        text += "; \(blocked) blocked"
        if !newlyBlocked.isEmpty { text += ", newly blocked: \(newlyBlocked.prefix(10).joined(separator: ", "))" }
        if !unblocked.isEmpty { text += ", unblocked: \(unblocked.prefix(10).joined(separator: ", "))" }
        let unmapped = self.unmapped
        if !unmapped.isEmpty {
            text += "; \(unmapped.count) teams have no plan mapping (add them under PLANS): \(unmapped.prefix(10).joined(separator: ", "))"
        }
        if let reportFile { text += "; report \(reportFile.path)" }
        return text
    }
}
