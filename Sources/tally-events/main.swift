import ArgumentParser
import TallyCLI
import TallyCore

/// Catches up Stripe events that webhooks missed into `stripe_events`, queues and processes them.
@main
struct TallyEvents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally-events",
        abstract: "Catch up missed Stripe webhooks: store new events, queue them, process the queue.",
        discussion: JobHelp.discussion("""
            Resumes 5 minutes before the newest stored event (3 days back on the first run, never beyond \
            Stripe's 30-day retention; --since overrides). Subscription events update subscription_items; \
            failures are retried with backoff and dead-lettered after 5 attempts (exit 1 while any is dead). \
            Then it lists every subscription from Stripe (status=all) into subscription_items on the first run, \
            when a team names a subscription Tally does not know, and weekly.
            """),
        version: TallyVersion.current
    )

    @OptionGroup var options: JobOptions

    func run() async throws {
        await JobMain.run(job: EventsJob.name, options: options) { try $0.eventsJob() }
    }
}
