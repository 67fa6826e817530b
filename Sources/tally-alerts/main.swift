import ArgumentParser
import TallyCLI
import TallyCore

/// `tally-alerts`: usage against each team's plan allowance for its billing period; notifications once per
/// period at each threshold; the block flag at the hard limit.
@main
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally-alerts",
        abstract: "Warn teams at their plan's usage thresholds once per billing period; flag them blocked at the limit.",
        discussion: JobHelp.discussion("""
            Allowance per team from PLANS (config file; product or price id -> tokens) or the Stripe product's \
            tally_tokens metadata; period from subscription_items (kept by tally-events). Thresholds \
            USAGE_ALERT_THRESHOLDS: in-app below USAGE_CAP_WARNING_THRESHOLD, email + in-app from it, urgent above \
            it, blocked (tally_usage_caps.blocked) at USAGE_CAP_HARD_LIMIT with ALERT_EMAIL told. Team webhooks from \
            tally_team_webhooks. Exit 1 when a team was blocked, a channel failed (retried next run) or a team \
            names a subscription not synced yet; exit 78 until tally-events has listed the subscriptions once.
            """),
        version: TallyVersion.current
    )

    @OptionGroup var options: JobOptions

    func run() async throws {
        await JobMain.run(job: UsageAlertsJob.name, options: options) { try $0.usageAlertsJob() }
    }
}
