import Foundation
import TallyCore
import TallySandbox
import TallyTestKit

/// Judges what the jobs found and sent against the plan. Stripe's side of any window comes from the
/// simulator; the app's intended side from a second simulator fed every billable row once (`ideal`), so
/// `sum`, `count`, `last` and pre-aggregated meters are all judged by the same rules Stripe applies.
struct ScenarioOracle {
    let plan: ScenarioPlan
    let simulator: StripeSimulator
    let meterID: String
    let ideal: StripeSimulator
    let idealMeterID: String
    /// Customer key (`slot-N`) -> the simulator's customer id.
    let customers: [String: String]
    var failures: [String] = []

    /// A judged window of one customer key: a day (the judged part of it), or an hour for `last`.
    struct Unit: Hashable {
        var key: String
        var start: Int64
        var end: Int64
        var day: Int64 { ScenarioPlan.floor(start, 86_400) }
    }

    /// Units where the app's intended value and Stripe's differ, before any job ran: ideal - Stripe.
    var expectedDifferences: [Unit: Int64] = [:]
    var stripeBefore: [Unit: Int64] = [:]

    init(plan: ScenarioPlan, simulator: StripeSimulator, meterID: String, ideal: StripeSimulator, idealMeterID: String,
         customers: [String: String]) {
        self.plan = plan
        self.simulator = simulator
        self.meterID = meterID
        self.ideal = ideal
        self.idealMeterID = idealMeterID
        self.customers = customers
    }

    // MARK: values

    func idealValue(_ key: String, _ start: Int64, _ end: Int64) -> Int64 {
        ideal.state.aggregatedUsage(meterID: idealMeterID, customer: key, start: date(start), end: date(end))
    }

    func stripeValue(_ key: String, _ start: Int64, _ end: Int64) -> Int64 {
        guard let customer = customers[key] else { return 0 }
        return simulator.state.aggregatedUsage(meterID: meterID, customer: customer, start: date(start), end: date(end))
    }

    func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }

    var keys: [String] {
        plan.teams.map(\.customerKey) + (plan.orphanSlot.map { ["slot-\($0)"] } ?? [])
    }

    /// `last` is judged per hour (per day on a daily meter), the additive formulas per day; a daily meter's
    /// unfinished day is never judged.
    var units: [Unit] {
        let step: Int64 = plan.knobs.formula == .last && plan.knobs.window != .day ? 3_600 : 86_400
        var result: [Unit] = []
        for key in keys {
            var start = plan.since
            while start < plan.judgedEnd {
                let end = min(start + step, plan.judgedEnd)
                if plan.knobs.window != .day || end - start == 86_400 { result.append(Unit(key: key, start: start, end: end)) }
                start = end
            }
        }
        return result
    }

    func plant(_ key: String, day: Int64) -> Plant? {
        plan.plants.first { $0.customerKey == key && $0.day == day && ![.settling, .badRows].contains($0.kind) }
    }

    static func kind(of planted: PlantedClass) -> DiscrepancyKind? {
        switch planted {
        case .unreported, .beyond35Days: .unreported
        case .lostWithin24h, .lostBeyond24h, .notAggregated: .lostAfterAck
        case .extraInStripe: .extraInStripe
        case .unknownCustomer: .unknownCustomer
        case .missingCustomer: .missingCustomer
        case .badRows, .settling: nil
        }
    }

    /// Whether tally-retry may repair a planted class on this meter. A pre-aggregated meter's window is
    /// mended by overwriting it with the app's value, so an acknowledged row lost long ago and (for `sum`
    /// and `last`) Stripe's surplus are repairable there too within Stripe's 35 days; a `count` meter's
    /// extra window cannot be overwritten away.
    func isRecoverable(_ planted: Plant) -> Bool {
        if planted.kind.isRecoverable { return true }
        // Stripe takes no event older than 35 days, so no window there can be overwritten.
        guard plan.knobs.window != .none, planted.day >= plan.now - 35 * 86_400 else { return false }
        switch planted.kind {
        case .lostBeyond24h: return true
        case .extraInStripe: return plan.knobs.formula != .count
        default: return false
        }
    }

    func repair(of planted: Plant) -> DiscrepancyRepair {
        isRecoverable(planted) ? .retry : .human
    }

    var expectsHumanFindings: Bool {
        expectedDifferences.keys.contains { plant($0.key, day: $0.day).map { !isRecoverable($0) } ?? false }
            || badRowCounts.missingTeam + badRowCounts.negative > 0
    }

    var expectsFindings: Bool {
        !expectedDifferences.isEmpty || badRowCounts.missingTeam + badRowCounts.negative > 0
    }

    var badRowCounts: (missingTeam: Int64, negative: Int64) {
        let judged = plan.rows.filter { $0.created >= plan.since && $0.created < plan.judgedEnd }
        return (Int64(judged.filter { $0.teamID == nil }.count), Int64(judged.filter { $0.teamID != nil && $0.tokens < 0 }.count))
    }

    // MARK: before the jobs

    mutating func snapshotBeforeJobs() {
        for unit in units {
            let stripe = stripeValue(unit.key, unit.start, unit.end)
            stripeBefore[unit] = stripe
            let difference = idealValue(unit.key, unit.start, unit.end) - stripe
            guard difference != 0 else { continue }
            expectedDifferences[unit] = difference
            if plant(unit.key, day: unit.day) == nil {
                failures.append("oracle: \(describe(unit)) differs by \(difference) but nothing was planted there (generator bug)")
            }
        }
        for planted in plan.plants where Self.kind(of: planted.kind) != nil && planted.kind != .notAggregated {
            let visible = expectedDifferences.keys.contains { $0.key == planted.customerKey && $0.day == planted.day }
            let judgedDay = plan.knobs.window != .day || planted.day + 86_400 <= plan.judgedEnd
            if !visible && judgedDay && planted.day < plan.judgedEnd {
                failures.append("oracle: planted \(planted) changes no judged window (generator bug)")
            }
        }
    }

    // MARK: checks

    mutating func expectExit(_ result: JobProcess.Result, _ job: String, allowed: Set<Int32>) {
        guard !allowed.contains(result.exitCode) else { return }
        let tail = result.stderr.split(separator: "\n").suffix(6).joined(separator: "\n      ")
        failures.append("\(job) exited \(result.exitCode)\(result.timedOut ? " (timed out)" : ""), expected \(allowed.sorted().map(String.init).joined(separator: " or ")):\n      \(tail)")
    }

    func key(of finding: Discrepancy) -> String {
        if let customer = finding.customerID {
            return customers.first { $0.value == customer }?.key ?? customer
        }
        return "team-\(finding.teamID ?? "?")"
    }

    func describe(_ unit: Unit) -> String {
        "\(unit.key) \(ScenarioPlan.timeText(unit.start))…\(ScenarioPlan.timeText(unit.end))"
    }

    func describe(_ finding: Discrepancy) -> String {
        "\(finding.kind.rawValue) \(key(of: finding)) \(ScenarioPlan.timeText(seconds(finding.windowStart)))…\(ScenarioPlan.timeText(seconds(finding.windowEnd))) local \(finding.localValue) stripe \(finding.stripeValue) difference \(finding.difference) repair \(finding.repair.rawValue)\(finding.usageRowIDs.isEmpty ? "" : " rows \(finding.usageRowIDs.joined(separator: ","))")"
    }

    func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970) }

    func isAligned(_ finding: Discrepancy) -> Bool {
        guard let step = plan.knobs.window.seconds else { return true }
        return seconds(finding.windowStart) % step == 0 && seconds(finding.windowEnd) % step == 0
    }

    mutating func checkFirstReconcile(_ findings: [Discrepancy]) {
        checkBadRows(findings, run: "first reconcile")
        let usage = findings.filter { $0.kind != .badRows }
        // Nothing but the planted: every finding lies on a planted customer-day, with its class and repair.
        for finding in usage {
            let day = ScenarioPlan.floor(seconds(finding.windowStart), 86_400)
            let planted = plant(key(of: finding), day: day)
            guard let planted, Self.kind(of: planted.kind) == finding.kind else {
                if planted?.kind == .notAggregated && finding.kind == .lostAfterAck { continue }
                failures.append("first reconcile: unexpected finding \(describe(finding))\(planted.map { " (planted there: \($0.kind.rawValue))" } ?? " on clean data")")
                continue
            }
            if finding.repair != repair(of: planted) {
                failures.append("first reconcile: \(describe(finding)) should be repaired by \(repair(of: planted).rawValue) (\(planted.kind.rawValue))")
            }
            if seconds(finding.windowEnd) > day + 86_400 {
                failures.append("first reconcile: \(describe(finding)) crosses the end of its UTC day")
            }
            // A window Stripe has not aggregated yet holds less than it will; its value is not judged.
            if isAligned(finding), planted.kind != .notAggregated {
                let start = seconds(finding.windowStart), end = seconds(finding.windowEnd)
                let local = planted.kind == .unknownCustomer ? 0 : idealValue(planted.customerKey, start, end)
                let stripe = stripeValue(planted.customerKey, start, end)
                if finding.localValue != local || finding.stripeValue != stripe {
                    failures.append("first reconcile: \(describe(finding)) but the window holds local \(local), Stripe \(stripe)")
                }
            }
        }
        // Every planted gap found, on its customer and day, in a window holding its rows, for its exact amount.
        var expectedByDay: [String: Int64] = [:]
        for (unit, difference) in expectedDifferences.sorted(by: { ($0.key.key, $0.key.start) < ($1.key.key, $1.key.start) }) {
            guard let planted = plant(unit.key, day: unit.day), let kind = Self.kind(of: planted.kind) else { continue }
            expectedByDay["\(unit.key)|\(unit.day)|\(kind.rawValue)", default: 0] += difference
            let found = usage.contains {
                key(of: $0) == unit.key && $0.kind == kind && seconds($0.windowStart) < unit.end && seconds($0.windowEnd) > unit.start
            }
            if !found {
                failures.append("first reconcile: missed \(planted.kind.rawValue) in \(describe(unit)): the app has \(idealValue(unit.key, unit.start, unit.end)), Stripe \(stripeBefore[unit] ?? 0)")
            }
        }
        if plan.knobs.formula != .last {
            for (group, expected) in expectedByDay.sorted(by: { $0.key < $1.key }) {
                let parts = group.split(separator: "|").map(String.init)
                let day = Int64(parts[1])!
                // What Stripe shows of a window it has not aggregated yet is not the final amount: on a
                // pre-aggregated meter it may still show an older event of the window, or none.
                if plan.knobs.window != .none, plant(parts[0], day: day)?.kind == .notAggregated { continue }
                let found = usage.filter {
                    key(of: $0) == parts[0] && $0.kind.rawValue == parts[2] && ScenarioPlan.floor(seconds($0.windowStart), 86_400) == day
                }.reduce(0) { $0 + $1.difference }
                if found != expected {
                    failures.append("first reconcile: \(parts[2]) \(parts[0]) on \(ScenarioPlan.dayText(day)) amounts to \(found), planted \(expected)")
                }
            }
        }
        for planted in plan.plants where [.unreported, .lostWithin24h, .lostBeyond24h, .beyond35Days].contains(planted.kind) {
            guard let kind = Self.kind(of: planted.kind) else { continue }
            for id in planted.rowIDs {
                guard let row = plan.rows.first(where: { $0.id == id }) else { continue }
                let holding = usage.filter {
                    key(of: $0) == planted.customerKey && $0.kind == kind
                        && seconds($0.windowStart) <= row.created && row.created < seconds($0.windowEnd)
                }
                if holding.isEmpty {
                    failures.append("first reconcile: no \(kind.rawValue) window holds row \(id) (\(planted.customerKey) at \(ScenarioPlan.timeText(row.created)))")
                } else if plan.knobs.window == .none, !holding.contains(where: { $0.usageRowIDs.contains(String(id)) }) {
                    failures.append("first reconcile: row \(id) lies in \(describe(holding[0])) but is not named in its usage rows")
                }
            }
        }
    }

    mutating func checkBadRows(_ findings: [Discrepancy], run: String) {
        let counts = badRowCounts
        let bad = findings.filter { $0.kind == .badRows }
        let noTeam = bad.first { $0.suggestedAction.contains("with \(UsageProblem.missingTeam.reason)") }?.localValue ?? 0
        let negative = bad.first { $0.suggestedAction.contains("with \(UsageProblem.negativeTokens.reason)") }?.localValue ?? 0
        if noTeam != counts.missingTeam || negative != counts.negative {
            failures.append("\(run): bad rows reported as \(noTeam) without a team and \(negative) negative, planted \(counts.missingTeam) and \(counts.negative)")
        }
    }

    /// Retry sends nothing twice, nothing early, nothing for a bad row, nothing a person must look at and
    /// nothing Stripe already has.
    mutating func checkRetry(_ sends: [RecordedRequest]) {
        let settle = Int64(plan.knobs.settleMinutes) * 60
        var accepted = Set<String>()
        let rowsByIdentifier = Dictionary(plan.rows.map { ($0.identifier ?? "tu_\($0.id)", $0) }, uniquingKeysWith: { first, _ in first })
        for send in sends {
            let parameters = send.parameters
            let identifier = parameters["identifier"] ?? "?"
            let timestamp = Int64(parameters["timestamp"] ?? "") ?? 0
            let row = rowsByIdentifier[identifier]
            if let row, row.isBad {
                failures.append("retry: sent bad row \(row.id) (\(identifier), tokens \(row.tokens), answered \(send.status))")
            }
            guard send.status == 200 else { continue }
            if !accepted.insert(identifier).inserted {
                failures.append("retry: Stripe accepted \(identifier) twice")
            }
            if timestamp > Int64(send.arrivedAt.timeIntervalSince1970) - settle {
                failures.append("retry: sent \(identifier) (usage at \(ScenarioPlan.timeText(timestamp))) before the \(plan.knobs.settleMinutes)-minute settle delay had passed")
            }
            guard let row else { continue }
            let planted = plan.plants.first { $0.rowIDs.contains(row.id) }
            if let planted, !isRecoverable(planted), planted.kind != .settling {
                failures.append("retry: sent row \(row.id) (\(identifier)) of a \(planted.kind.rawValue) gap a person must look at")
            } else if planted == nil, row.reportedAt != nil, plan.knobs.window == .none {
                // (A pre-aggregated meter's repair may re-send a window total under any identifier; the
                // window values after retry judge it.)
                failures.append("retry: Stripe accepted row \(row.id) (\(identifier)) again though it already had it")
            }
        }
    }

    /// After retry (and Stripe's aggregation): every repairable or clean window holds what the app intended,
    /// every window a person must look at is untouched.
    mutating func checkStripeAfterRetry() {
        for unit in units.sorted(by: { ($0.key, $0.start) < ($1.key, $1.start) }) {
            let now = stripeValue(unit.key, unit.start, unit.end)
            let planted = plant(unit.key, day: unit.day)
            if let planted, !isRecoverable(planted) {
                if now != stripeBefore[unit] {
                    failures.append("after retry: \(describe(unit)) (\(planted.kind.rawValue), for a person) changed in Stripe from \(stripeBefore[unit] ?? 0) to \(now)")
                }
            } else {
                let intended = idealValue(unit.key, unit.start, unit.end)
                if now != intended {
                    failures.append("after retry: \(describe(unit))\(planted.map { " (\($0.kind.rawValue))" } ?? "") holds \(now) in Stripe, the app \(intended)\(plan.knobs.formula == .last ? "" : now > intended ? ": counted twice" : ": not repaired")")
                }
            }
        }
    }

    /// The second reconcile finds exactly what needs a person, nothing tally-retry should have repaired.
    mutating func checkSecondReconcile(_ findings: [Discrepancy]) {
        checkBadRows(findings, run: "second reconcile")
        let usage = findings.filter { $0.kind != .badRows }
        for finding in usage {
            let planted = plant(key(of: finding), day: ScenarioPlan.floor(seconds(finding.windowStart), 86_400))
            guard let planted, !isRecoverable(planted), Self.kind(of: planted.kind) == finding.kind else {
                failures.append("second reconcile: \(describe(finding))\(planted.map { " (planted: \($0.kind.rawValue))" } ?? " on clean data") should be closed")
                continue
            }
        }
        for unit in expectedDifferences.keys.sorted(by: { ($0.key, $0.start) < ($1.key, $1.start) }) {
            guard let planted = plant(unit.key, day: unit.day), !isRecoverable(planted),
                  let kind = Self.kind(of: planted.kind) else { continue }
            let found = usage.contains {
                key(of: $0) == unit.key && $0.kind == kind && seconds($0.windowStart) < unit.end && seconds($0.windowEnd) > unit.start
            }
            if !found { failures.append("second reconcile: does not report \(planted.kind.rawValue) in \(describe(unit)), which needs a person") }
        }
    }
}
