import Foundation

/// One `token_usage` row the generator made.
struct ScenarioRow: Sendable {
    var id: Int64
    /// nil for a bad row without a team.
    var teamID: Int64?
    var tokens: Int64
    /// Unix seconds (what the app sends Stripe as the event timestamp).
    var created: Int64
    /// Sub-second part, for formats that keep it.
    var millis: Int
    var identifier: String?
    var reportedAt: Int64?
    /// The customer key (`slot-N`, or `team-N` for a team without a customer); nil for bad rows.
    var customerKey: String?
    var isBad: Bool { teamID == nil || tokens < 0 }
}

/// One meter event, as the app (or someone else) sent it to Stripe.
struct ScenarioEvent: Sendable {
    var identifier: String
    /// `slot-N`: the harness maps it to the simulator's customer id.
    var customerKey: String
    var value: Int64
    var timestamp: Int64
    var receivedAt: Int64
}

/// A team of the app; `slot` is its Stripe customer's slot (nil: no customer).
struct ScenarioTeam: Sendable {
    var id: Int64
    var slot: Int?
    var customerKey: String { slot.map { "slot-\($0)" } ?? "team-\(id)" }
}

/// One planted trouble: which customer-day, which rows.
struct Plant: Sendable, CustomStringConvertible {
    var kind: PlantedClass
    var customerKey: String
    /// 00:00 UTC of the day, unix seconds.
    var day: Int64
    /// The rows a finding must contain (empty for extra events and unknown customers).
    var rowIDs: [Int64]

    var description: String {
        "\(kind.rawValue) \(customerKey) \(ScenarioPlan.dayText(day))\(rowIDs.isEmpty ? "" : " rows \(rowIDs.map(String.init).joined(separator: ","))")"
    }
}

/// Everything a scenario consists of, generated from its knobs and "now".
struct ScenarioPlan: Sendable {
    var knobs: ScenarioKnobs
    /// Unix seconds the scenario treats as now (the simulator's start time).
    var now: Int64
    /// 00:00 UTC of the first day of usage (40 days of it, today included).
    var since: Int64
    /// Where reconcile stops judging: the hour before now minus the settle delay.
    var judgedEnd: Int64
    var teams: [ScenarioTeam]
    /// Customer slots with a Stripe customer (the orphan included).
    var slots: Int
    /// The slot of the Stripe customer no team knows.
    var orphanSlot: Int?
    var rows: [ScenarioRow]
    /// What Stripe has, in arrival order.
    var events: [ScenarioEvent]
    /// What Stripe would have if the app had sent every billable row exactly once.
    var idealEvents: [ScenarioEvent]
    var plants: [Plant]
    /// Classes switched on that found no place to plant (said in the failure output).
    var notPlanted: [PlantedClass]

    static func dayText(_ day: Int64) -> String {
        String(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(day))).prefix(10))
    }

    /// `2026-11-03T10:15:00Z`.
    static func timeText(_ seconds: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    static func floor(_ value: Int64, _ step: Int64) -> Int64 { value - ((value % step) + step) % step }
}
