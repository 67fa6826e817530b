import ArgumentParser

/// `tally-sandbox`: a local Stripe-compatible simulator for the demo, the tests and users' CI.
@main
struct TallySandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally-sandbox",
        abstract: "A local, stateful, fault-injectable Stripe simulator.",
        subcommands: [ServeCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
