import Foundation

/// The threshold arithmetic of `tally-alerts`, with no store and no sending: each team's usage against its
/// allowance, the thresholds crossed and not yet in the ledger, the notices per channel, and the caps.
///
/// A jump over several thresholds in one night records each of them but sends one notice per channel,
/// naming the highest; ledger rows of the period that earlier runs could not deliver are sent again.
struct UsageAlertPlanner: Sendable {
    var thresholds: AlertThresholds
    var now: Date

    /// The plan for `teams` given their period usage (`usage`, per team), the notification ledger
    /// (`ledger`, any period), the caps stored before, and the teams with a webhook.
    func plan(teams: [TeamPlan], usage: [PeriodUsage], ledger: [UsageNotificationRecord],
              previousCaps: [UsageCapRecord], teamsWithWebhook: Set<String>) -> UsageAlertPlan {
        var usedByTeam: [String: Int64] = [:]
        for team in usage { usedByTeam[team.teamID, default: 0] += team.tokens }
        let ledgerByTeam = Dictionary(grouping: ledger, by: \.key.teamID)
        let capsByPeriod = Dictionary(previousCaps.map { (CapKey(teamID: $0.teamID, periodStart: $0.periodStart), $0) },
                                      uniquingKeysWith: { $1 })

        var plan = UsageAlertPlan()
        for team in teams.sorted(by: { $0.team.id < $1.team.id }) {
            let teamID = team.team.id
            let used = usedByTeam[teamID] ?? 0
            let ratio = team.tokens > 0 ? Double(used) / Double(team.tokens) : (used > 0 ? .infinity : 0)
            let projected = UsageProjection.limitReached(used: used, allowance: team.tokens, periodStart: team.period.start,
                                                         periodEnd: team.period.end, now: now)
            let inPeriod = (ledgerByTeam[teamID] ?? []).filter { $0.key.periodStart == team.period.start }
            let recorded = Set(inPeriod.map(\.key.threshold))
            let fresh = thresholds.crossed(by: ratio).filter { !recorded.contains($0) }
            var claims: [UsageNotificationRecord] = []
            if let highest = fresh.max() {
                var channels = thresholds.level(of: highest).channels
                if teamsWithWebhook.contains(teamID) { channels.append(.webhook) }
                for threshold in fresh {
                    for channel in channels {
                        claims.append(UsageNotificationRecord(
                            key: UsageNotificationKey(teamID: teamID, periodStart: team.period.start, threshold: threshold, channel: channel),
                            used: used, allowance: team.tokens, sentAt: now))
                    }
                }
            }
            plan.claims += claims

            let blocked = ratio >= thresholds.hardLimit
            let previous = capsByPeriod[CapKey(teamID: teamID, periodStart: team.period.start)]
            let wasBlocked = previous?.blocked ?? false
            if blocked && !wasBlocked { plan.newlyBlocked.append(teamID) }
            // An upgrade that lowers the ratio below the hard limit clears the block.
            if wasBlocked && !blocked { plan.unblocked.append(teamID) }
            if blocked { plan.blocked += 1 }
            plan.caps.append(UsageCapRecord(
                teamID: teamID, periodStart: team.period.start, periodEnd: team.period.end, allowance: team.tokens, used: used,
                blocked: blocked, blockedAt: blocked ? (wasBlocked ? previous?.blockedAt ?? now : now) : nil,
                projectedLimitAt: projected, updatedAt: now))

            let evaluation = TeamEvaluation(team: team.team, period: team.period, used: used, allowance: team.tokens,
                                            projectedLimitAt: projected, earlierPending: inPeriod.filter { $0.status != .sent })
            plan.evaluations.append(evaluation)
            let due = evaluation.earlierPending + claims
            if !due.isEmpty {
                plan.notices.append(TeamNotices(teamID: teamID, channels: notices(for: evaluation, due: due)))
            }
        }
        return plan
    }

    /// One notice per channel of the due ledger rows, naming the highest threshold among them.
    private func notices(for evaluation: TeamEvaluation, due: [UsageNotificationRecord]) -> [ChannelNotice] {
        Dictionary(grouping: due, by: \.key.channel).sorted(by: { $0.key.rawValue < $1.key.rawValue }).map { channel, records in
            let highest = records.map(\.key.threshold).max() ?? 0
            let notice = UsageNotice(teamID: evaluation.team.id, teamName: evaluation.team.name, threshold: highest,
                                     level: thresholds.level(of: highest), used: evaluation.used,
                                     allowance: evaluation.allowance, period: evaluation.period,
                                     projectedLimitAt: evaluation.projectedLimitAt)
            return ChannelNotice(channel: channel, notice: notice, keys: records.map(\.key))
        }
    }

    /// A cap is kept per team and period; stored times are whole seconds, so the key is too.
    private struct CapKey: Hashable {
        var teamID: String
        var seconds: Int64

        init(teamID: String, periodStart: Date) {
            self.teamID = teamID
            self.seconds = StoredTime.seconds(periodStart)
        }
    }
}
