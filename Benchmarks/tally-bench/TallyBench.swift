import ArgumentParser

/// `tally-bench`: measures the claims the design makes, one subcommand per area.
///
/// In `TallyBench.swift`, not `main.swift`: Swift forbids `@main` in a file named `main.swift`, and top-level
/// code would call ParsableCommand's synchronous entry, which never runs async subcommands.
@main
struct TallyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally-bench",
        abstract: "Benchmarks for Tally; results are recorded in BENCHMARKS.md.",
        subcommands: [ClientBenchmark.self, StoreBenchmark.self, XLSXBenchmark.self, ReconcileBenchmark.self, PeerBenchmark.self, RetryBenchmark.self, AlertsBenchmark.self]
    )
}
