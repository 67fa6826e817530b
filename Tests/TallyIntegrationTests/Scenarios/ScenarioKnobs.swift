import Foundation
import Testing
import TallyTestKit

/// The meter's formula in a scenario.
enum ScenarioFormula: String, CaseIterable, Sendable {
    case sum, count, last
}

/// The meter's `event_time_window`: raw (`none`) or pre-aggregated per UTC hour or day.
enum ScenarioWindow: String, CaseIterable, Sendable {
    case none, hour, day

    /// The value sent to Stripe.
    var eventTimeWindow: String? { self == .none ? nil : rawValue }
    /// The window's length in seconds; nil for a raw meter.
    var seconds: Int64? {
        switch self {
        case .none: nil
        case .hour: 3_600
        case .day: 86_400
        }
    }
}

/// How the app stores `token_usage.created_at` and `meter_reported_at`.
enum ScenarioTimestampFormat: String, CaseIterable, Sendable {
    /// SQLite `INTEGER` unix seconds.
    case unixSeconds = "unix"
    /// SQLite text `2026-11-03T10:15:00Z`.
    case isoSeconds = "iso"
    /// SQLite text `2026-11-03T10:15:00.123Z`.
    case isoMillis = "iso-ms"
    /// SQLite text `2026-11-03 10:15:00`, as an ORM writes it.
    case sqlText = "sql-text"
    /// PostgreSQL `timestamp` (UTC), whole seconds.
    case pgTimestamp = "pg-timestamp"
    /// PostgreSQL `timestamptz`, whole seconds.
    case pgTimestamptz = "pg-timestamptz"
    /// PostgreSQL `timestamp` with milliseconds, as `now()` writes it.
    case pgTimestampMillis = "pg-timestamp-ms"

    var backend: StoreBackendUnderTest {
        switch self {
        case .unixSeconds, .isoSeconds, .isoMillis, .sqlText: .sqlite
        case .pgTimestamp, .pgTimestamptz, .pgTimestampMillis: .postgres
        }
    }

    var hasMillis: Bool { self == .isoMillis || self == .pgTimestampMillis }
}

/// A kind of trouble the generator can plant; each is an independent switch.
enum PlantedClass: String, CaseIterable, Sendable, Comparable {
    /// Rows the app never sent (within Stripe's 35 days): `unreported`, repaired by tally-retry.
    case unreported
    /// Rows acknowledged in the last 24 hours yet missing in Stripe: `lost_after_ack`, repaired by tally-retry.
    case lostWithin24h = "lost-24h"
    /// Rows acknowledged over 24 hours ago yet missing in Stripe: `lost_after_ack`, for a person.
    case lostBeyond24h = "lost-old"
    /// Rows never sent, over 35 days old: `unreported`, for a person.
    case beyond35Days = "beyond-35d"
    /// Events in Stripe the app never recorded: `extra_in_stripe`, for a person.
    case extraInStripe = "extra"
    /// A Stripe customer with usage that no team names: `unknown_customer`.
    case unknownCustomer = "unknown-customer"
    /// A team with usage and no Stripe customer: `missing_customer`.
    case missingCustomer = "missing-customer"
    /// Rows without a team and rows with negative tokens: `bad_rows`, never sent.
    case badRows = "bad-rows"
    /// Rows younger than RECONCILE_SETTLE_MINUTES, some not sent yet: never judged, never sent.
    case settling
    /// Rows Stripe received moments ago and has not aggregated yet: never sent twice.
    case notAggregated = "not-aggregated"

    static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Whether tally-retry is expected to close it.
    var isRecoverable: Bool { [.unreported, .lostWithin24h, .notAggregated].contains(self) }
}

/// Every switch of one scenario; with the seed it replays the scenario exactly.
struct ScenarioKnobs: Sendable, CustomStringConvertible, CustomTestStringConvertible {
    var seed: UInt64
    var formula: ScenarioFormula = .sum
    var window: ScenarioWindow = .none
    var timestamps: ScenarioTimestampFormat = .isoSeconds
    var classes: [PlantedClass] = PlantedClass.allCases
    /// Teams that have a Stripe customer.
    var teams = 4
    var settleMinutes = 120
    /// The simulator's aggregation delay, seconds.
    var aggregationDelay = 300

    var backend: StoreBackendUnderTest { timestamps.backend }

    /// `formula=sum,window=none,timestamps=iso,classes=unreported+extra,teams=4,settle=120,delay=300`.
    var knobsText: String {
        "formula=\(formula.rawValue),window=\(window.rawValue),timestamps=\(timestamps.rawValue),"
            + "classes=\(classes.isEmpty ? "none" : classes.map(\.rawValue).joined(separator: "+")),"
            + "teams=\(teams),settle=\(settleMinutes),delay=\(aggregationDelay)"
    }

    var description: String { "seed=\(seed) \(knobsText)" }
    var testDescription: String { "\(formula.rawValue)/\(window.rawValue)/\(timestamps.rawValue) [\(classes.count == PlantedClass.allCases.count ? "all classes" : classes.map(\.rawValue).joined(separator: "+"))] seed \(seed)" }

    /// The command that runs this scenario again.
    var replayCommand: String {
        "TALLY_SCENARIO_SEED=\(seed) TALLY_SCENARIO_KNOBS='\(knobsText)' swift test --skip-build --filter ScenarioReplay"
    }

    /// Knobs from `TALLY_SCENARIO_KNOBS`-style text laid over `base` (defaults, or knobs drawn from the
    /// seed); a value may list alternatives, `timestamps=unix|iso`, one of which the seed picks.
    static func parse(_ text: String, seed: UInt64, onto base: ScenarioKnobs? = nil) throws -> ScenarioKnobs {
        var knobs = base ?? ScenarioKnobs(seed: seed)
        knobs.seed = seed
        var random = ScenarioRandom(seed: seed ^ 0xA17E_0A7E)
        for pair in text.split(separator: ",") where !pair.isEmpty {
            var parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw KnobError(text: String(pair)) }
            parts[1] = parts[1].split(separator: "|").map(String.init).randomElement(using: &random) ?? parts[1]
            switch parts[0] {
            case "formula": knobs.formula = try value(ScenarioFormula(rawValue: parts[1]), pair)
            case "window": knobs.window = try value(ScenarioWindow(rawValue: parts[1]), pair)
            case "timestamps": knobs.timestamps = try value(ScenarioTimestampFormat(rawValue: parts[1]), pair)
            case "classes":
                knobs.classes = parts[1] == "none" ? [] : try parts[1].split(separator: "+").map {
                    try value(PlantedClass(rawValue: String($0)), pair)
                }.sorted()
            case "teams": knobs.teams = try value(Int(parts[1]), pair)
            case "settle": knobs.settleMinutes = try value(Int(parts[1]), pair)
            case "delay": knobs.aggregationDelay = try value(Int(parts[1]), pair)
            default: throw KnobError(text: String(pair))
            }
        }
        return knobs
    }

    private static func value<T>(_ parsed: T?, _ pair: Substring) throws -> T {
        guard let parsed else { throw KnobError(text: String(pair)) }
        return parsed
    }

    struct KnobError: Error, CustomStringConvertible {
        var text: String
        var description: String {
            "unknown scenario knob \"\(text)\": use formula=sum|count|last, window=none|hour|day, timestamps=\(ScenarioTimestampFormat.allCases.map(\.rawValue).joined(separator: "|")), classes=a+b (\(PlantedClass.allCases.map(\.rawValue).joined(separator: ", ")) or none), teams=N, settle=MINUTES, delay=SECONDS"
        }
    }

    /// Every knob drawn from `seed` (timestamp formats limited to the backends that run here).
    static func random(seed: UInt64, backends: [StoreBackendUnderTest] = StoreBackendUnderTest.all) -> ScenarioKnobs {
        var random = ScenarioRandom(seed: seed ^ 0x5CE7_A810)
        var knobs = ScenarioKnobs(seed: seed)
        knobs.formula = ScenarioFormula.allCases.randomElement(using: &random)!
        knobs.window = ScenarioWindow.allCases.randomElement(using: &random)!
        knobs.timestamps = ScenarioTimestampFormat.allCases.filter { backends.contains($0.backend) }.randomElement(using: &random)!
        knobs.classes = PlantedClass.allCases.filter { _ in random.chance(0.6) }
        knobs.teams = Int.random(in: 2...5, using: &random)
        knobs.settleMinutes = [60, 120].randomElement(using: &random)!
        knobs.aggregationDelay = [120, 300, 900].randomElement(using: &random)!
        return knobs
    }
}

/// SplitMix64: small, fast and the same on every platform, so a seed replays anywhere.
struct ScenarioRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }
}
