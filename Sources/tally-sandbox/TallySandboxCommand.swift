import ArgumentParser
import TallyCore

/// `tally-sandbox`: a local Stripe-compatible simulator for the demo, the tests and users' CI.
@main
struct TallySandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally-sandbox",
        abstract: "A local, stateful, fault-injectable Stripe simulator.",
        discussion: """
            Exit codes:
              0   stopped by SIGTERM or SIGINT
              1   could not start: the port is taken, or a file cannot be written
              64  bad usage: an unknown option, a --host off loopback without
                  --allow-remote
            """,
        version: TallyVersion.current,
        subcommands: [ServeCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
