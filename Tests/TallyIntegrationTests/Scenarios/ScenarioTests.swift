import Foundation
import Testing
import TallyTestKit

/// The scenarios CI runs: fixed seeds, so a red run is the same red run on every machine.
enum ScenarioCatalog {
    static let sqliteFormats = ScenarioTimestampFormat.allCases.filter { $0.backend == .sqlite }
    static let postgresFormats = ScenarioTimestampFormat.allCases.filter { $0.backend == .postgres }

    /// Scenarios with every knob drawn from a fixed seed, after the matrix below.
    static let randomCount = 25

    /// Raw `sum` and `count` meters in every timestamp format with every class planted; then `last` and the
    /// pre-aggregated meters; then each class alone (so a failure names its class); then clean data; then
    /// `randomCount` drawn at random: 60 scenarios with PostgreSQL (53 without), 1–1.5 minutes here.
    static var ci: [ScenarioKnobs] {
        var knobs: [ScenarioKnobs] = []
        var seed: UInt64 = 20_261_130
        func add(_ formula: ScenarioFormula, _ window: ScenarioWindow, _ timestamps: ScenarioTimestampFormat,
                 _ classes: [PlantedClass] = PlantedClass.allCases) {
            seed += 1
            knobs.append(ScenarioKnobs(seed: seed, formula: formula, window: window, timestamps: timestamps, classes: classes))
        }
        let formats = sqliteFormats + (PostgresTestDatabase.shouldRun ? postgresFormats : [])
        for formula in [ScenarioFormula.sum, .count] {
            for format in formats { add(formula, .none, format) }
        }
        add(.last, .none, .isoSeconds)
        if PostgresTestDatabase.shouldRun { add(.last, .none, .pgTimestamptz) }
        for window in [ScenarioWindow.hour, .day] {
            for formula in ScenarioFormula.allCases { add(formula, window, .isoSeconds) }
        }
        for planted in PlantedClass.allCases { add(.sum, .none, .sqlText, [planted]) }
        for formula in ScenarioFormula.allCases { add(formula, .none, .unixSeconds, []) }
        // And a spread of everything at once: every knob drawn from a fixed seed.
        for index in 0..<randomCount { knobs.append(.random(seed: 20_261_200 + UInt64(index))) }
        return knobs
    }

    /// `TALLY_SCENARIO_SOAK=N`: N scenarios with every knob drawn from a seed (from `TALLY_SCENARIO_SEED`
    /// on, or from the clock), except those `TALLY_SCENARIO_KNOBS` fixes (`window=none,timestamps=unix|iso`).
    static var soakCount: Int { Int(ProcessInfo.processInfo.environment["TALLY_SCENARIO_SOAK"] ?? "") ?? 0 }

    /// `TALLY_SCENARIO_SEED` (with `TALLY_SCENARIO_KNOBS`, or knobs drawn from the seed).
    static var replay: ScenarioKnobs? {
        let environment = ProcessInfo.processInfo.environment
        guard let text = environment["TALLY_SCENARIO_SEED"], let seed = UInt64(text) else { return nil }
        guard let knobs = environment["TALLY_SCENARIO_KNOBS"], !knobs.isEmpty else { return .random(seed: seed) }
        return try? ScenarioKnobs.parse(knobs, seed: seed)
    }
}

/// Generated teams, customers and 40 days of usage with planted trouble, run through the real
/// `tally-reconcile`, `tally-retry` and `tally-reconcile` executables against the simulator on loopback.
/// A failure prints the seed, the knobs and the command that replays it.
@Suite("Scenarios: reconcile, retry, reconcile", .serialized)
struct ScenarioTests {
    @Test("scenario", arguments: ScenarioCatalog.ci)
    func scenario(_ knobs: ScenarioKnobs) async throws {
        try await ScenarioHarness.check(knobs)
    }

    @Test("soak: TALLY_SCENARIO_SOAK random scenarios", .enabled(if: ScenarioCatalog.soakCount > 0))
    func soak() async throws {
        let base = UInt64(ProcessInfo.processInfo.environment["TALLY_SCENARIO_SEED"] ?? "")
            ?? UInt64(Date().timeIntervalSince1970)
        let fixed = ProcessInfo.processInfo.environment["TALLY_SCENARIO_KNOBS"] ?? ""
        for index in 0..<ScenarioCatalog.soakCount {
            let seed = base &+ UInt64(index)
            try await ScenarioHarness.check(try ScenarioKnobs.parse(fixed, seed: seed, onto: .random(seed: seed)))
        }
    }
}

/// Replays one scenario: `TALLY_SCENARIO_SEED=… TALLY_SCENARIO_KNOBS='…' swift test --skip-build --filter ScenarioReplay`.
@Suite("ScenarioReplay")
struct ScenarioReplayTests {
    @Test("replays TALLY_SCENARIO_SEED", .enabled(if: ProcessInfo.processInfo.environment["TALLY_SCENARIO_SEED"] != nil
                                                  && ScenarioCatalog.soakCount == 0))
    func replay() async throws {
        let environment = ProcessInfo.processInfo.environment
        if let text = environment["TALLY_SCENARIO_KNOBS"], !text.isEmpty, let seed = UInt64(environment["TALLY_SCENARIO_SEED"] ?? "") {
            _ = try ScenarioKnobs.parse(text, seed: seed)  // a typo fails here with the knob's name
        }
        let knobs = try #require(ScenarioCatalog.replay, "TALLY_SCENARIO_SEED must be a whole number")
        try await ScenarioHarness.check(knobs)
    }
}
