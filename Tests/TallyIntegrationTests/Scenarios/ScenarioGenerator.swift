import Foundation

/// Draws a scenario from its knobs: teams, 40 days of usage, what the app sent to Stripe, and the
/// planted trouble, all relative to `now` so a seed replays on any day.
///
/// How the app sends: every billable row becomes one meter event with identifier `tu_<id>`, timestamp the
/// row's second, received two seconds later. For a pre-aggregated meter the value is the window's
/// running total (sum), 1 (count) or the row's tokens (last), so the window's newest event carries what
/// the window should bill. Planted gaps take the rows a gap of that meter can hide in (the tail of a
/// window for pre-aggregated and `last` meters), one class per customer-day, at least an hour inside the
/// judged range and a day away from the 24-hour and 35-day limits.
struct ScenarioGenerator {
    let knobs: ScenarioKnobs
    let now: Int64
    var random: ScenarioRandom
    let settle: Int64
    let since: Int64
    let judgedEnd: Int64
    var rows: [ScenarioRow] = []
    /// When Stripe received each row's event; nil when it was never sent.
    var sentAt: [Int64?] = []
    var teams: [ScenarioTeam] = []
    var plants: [Plant] = []
    var notPlanted: [PlantedClass] = []
    var extras: [ScenarioEvent] = []
    var usedDays = Set<String>()
    var takenSeconds = Set<String>()

    static let day: Int64 = 86_400
    static let hour: Int64 = 3_600

    init(knobs: ScenarioKnobs, now: Int64) {
        self.knobs = knobs
        self.now = now
        random = ScenarioRandom(seed: knobs.seed)
        settle = Int64(knobs.settleMinutes) * 60
        since = ScenarioPlan.floor(now, Self.day) - 39 * Self.day
        judgedEnd = ScenarioPlan.floor(now - settle, Self.hour)
    }

    static func generate(_ knobs: ScenarioKnobs, now: Int64) -> ScenarioPlan {
        var generator = ScenarioGenerator(knobs: knobs, now: now)
        return generator.run()
    }

    private var has: Set<PlantedClass> { Set(knobs.classes) }

    mutating func run() -> ScenarioPlan {
        teams = (0..<knobs.teams).map { ScenarioTeam(id: Int64($0 + 1), slot: $0) }
        if has.contains(.missingCustomer) { teams.append(ScenarioTeam(id: Int64(knobs.teams + 1), slot: nil)) }
        let orphanSlot = has.contains(.unknownCustomer) ? knobs.teams : nil
        generateUsage()
        if has.contains(.settling) { plantSettling() }
        for kind in [PlantedClass.unreported, .lostWithin24h, .lostBeyond24h, .beyond35Days, .notAggregated] where has.contains(kind) {
            plantRows(kind)
        }
        if has.contains(.extraInStripe) { plantExtra() }
        if has.contains(.missingCustomer) { plantMissingCustomer() }
        if let orphanSlot { plantOrphan(slot: orphanSlot) }
        if has.contains(.badRows) { plantBadRows() }
        return ScenarioPlan(knobs: knobs, now: now, since: since, judgedEnd: judgedEnd, teams: teams,
                            slots: knobs.teams + (orphanSlot == nil ? 0 : 1), orphanSlot: orphanSlot, rows: rows,
                            events: actualEvents(), idealEvents: idealEvents(), plants: plants, notPlanted: notPlanted)
    }

    // MARK: usage

    mutating func generateUsage() {
        // Without the settling class no row is younger than the settle delay.
        let usageEnd = has.contains(.settling) ? now - 60 : now - settle - 60
        for day in 0..<40 {
            let start = since + Int64(day) * Self.day
            let end = min(start + Self.day, usageEnd)
            guard end > start else { continue }
            for team in teams {
                var times = Set<Int64>()
                let count = random.chance(0.15) ? 0 : Int.random(in: 1...8, using: &random)
                // Usage comes in bursts: most rows fall in one or two busy hours, so windows hold several rows.
                let busy = (0..<Int.random(in: 1...2, using: &random)).map { _ in
                    start + Int64.random(in: 0..<24, using: &random) * Self.hour
                }
                for _ in 0..<count {
                    let time = random.chance(0.7)
                        ? busy.randomElement(using: &random)! + Int64.random(in: 0..<Self.hour, using: &random)
                        : Int64.random(in: start..<end, using: &random)
                    if time < end { times.insert(time) }
                }
                // The edges of a UTC day: the last second of one, the first of the next.
                if random.chance(0.2), start + Self.day - 1 < end { times.insert(start + Self.day - 1) }
                if random.chance(0.2) { times.insert(start) }
                for time in times.sorted() { addRow(team: team, created: time) }
            }
        }
    }

    @discardableResult
    mutating func addRow(team: ScenarioTeam?, created: Int64, tokens: Int64? = nil) -> Int {
        let id = Int64(rows.count + 1)
        let tokens = tokens ?? Int64.random(in: 1...500, using: &random)
        let millis = knobs.timestamps.hasMillis ? Int.random(in: 0...999, using: &random) : 0
        let billable = team != nil && tokens >= 0
        let hasCustomer = team?.slot != nil
        rows.append(ScenarioRow(id: id, teamID: team?.id, tokens: tokens, created: created, millis: millis,
                                identifier: billable && hasCustomer ? "tu_\(id)" : nil,
                                reportedAt: billable && hasCustomer ? created + 2 : nil,
                                customerKey: billable ? team?.customerKey : nil))
        sentAt.append(billable && hasCustomer ? created + 2 : nil)
        if let team { takenSeconds.insert("\(team.id)|\(created)") }
        return rows.count - 1
    }

    // MARK: planting

    /// Rows younger than the settle delay, every other one not sent yet.
    mutating func plantSettling() {
        let from = now - settle + 15 * 60
        guard from < now - 60 else { notPlanted.append(.settling); return }
        for team in teams.filter({ $0.slot != nil }).shuffled(using: &random).prefix(2) {
            var planted: [Int64] = []
            for index in 0..<Int.random(in: 2...4, using: &random) {
                let time = Int64.random(in: from..<(now - 60), using: &random)
                guard !takenSeconds.contains("\(team.id)|\(time)") else { continue }
                let row = addRow(team: team, created: time)
                if index % 2 == 0 { unsend(row) }
                planted.append(rows[row].id)
            }
            plants.append(Plant(kind: .settling, customerKey: team.customerKey, day: ScenarioPlan.floor(now, Self.day),
                                rowIDs: planted))
        }
    }

    mutating func unsend(_ row: Int) {
        rows[row].identifier = nil
        rows[row].reportedAt = nil
        sentAt[row] = nil
    }

    /// The created-at bounds a class's rows must lie in.
    func bounds(_ kind: PlantedClass) -> ClosedRange<Int64> {
        let inRange = judgedEnd - Self.hour - 1
        switch kind {
        case .lostBeyond24h: return (now - 34 * Self.day)...min(inRange, now - 30 * Self.hour)
        case .beyond35Days: return since...(now - 36 * Self.day)
        default: return (now - 34 * Self.day)...inRange
        }
    }

    mutating func plantRows(_ kind: PlantedClass) {
        let range = bounds(kind)
        var planted = 0
        let wanted = Int.random(in: 1...2, using: &random)
        for _ in 0..<40 where planted < wanted {
            guard let team = teams.filter({ $0.slot != nil }).randomElement(using: &random) else { break }
            let day = since + Int64.random(in: 0..<40, using: &random) * Self.day
            guard !usedDays.contains("\(team.customerKey)|\(day)"),
                  let chosen = selectRows(team: team, day: day, within: range) else { continue }
            usedDays.insert("\(team.customerKey)|\(day)")
            for index in chosen {
                switch kind {
                case .unreported, .beyond35Days:
                    unsend(index)
                case .lostWithin24h:
                    // Acknowledged late (the app's send was retried hours after the usage) and lost.
                    rows[index].reportedAt = max(rows[index].created + 2, now - Int64.random(in: 2 * Self.hour...20 * Self.hour, using: &random))
                    sentAt[index] = nil
                case .lostBeyond24h:
                    sentAt[index] = nil
                case .notAggregated:
                    // Sent late: Stripe received it moments ago and has not aggregated it yet.
                    let received = now - Int64.random(in: 10...50, using: &random)
                    rows[index].reportedAt = received
                    sentAt[index] = received
                default: break
                }
            }
            plants.append(Plant(kind: kind, customerKey: team.customerKey, day: day, rowIDs: chosen.map { rows[$0].id }))
            planted += 1
        }
        if planted == 0 { notPlanted.append(kind) }
    }

    /// Billable rows of `team` on `day`, oldest first.
    func dayRows(_ team: ScenarioTeam, _ day: Int64) -> [Int] {
        rows.indices.filter { rows[$0].teamID == team.id && !rows[$0].isBad && rows[$0].created >= day && rows[$0].created < day + Self.day }
            .sorted { rows[$0].created < rows[$1].created }
    }

    /// The rows a gap of this meter hides in on one customer-day, when the whole window lies in `range`.
    mutating func selectRows(team: ScenarioTeam, day: Int64, within range: ClosedRange<Int64>) -> [Int]? {
        let all = dayRows(team, day)
        guard !all.isEmpty else { return nil }
        // The window a gap lives in: an hour (raw `last`, hourly meters), the day (daily meters), or a run of rows.
        let windowed = knobs.formula == .last || knobs.window != .none
        var candidates = all
        if windowed {
            let step = knobs.window == .day ? Self.day : Self.hour
            let windows = Set(all.map { ScenarioPlan.floor(rows[$0].created, step) }).sorted()
            // Windows with several rows first: there a pre-aggregated window's gap is not simply its one row.
            let crowded = windows.filter { window in all.filter { ScenarioPlan.floor(rows[$0].created, step) == window }.count > 1 }
            guard let window = (crowded.isEmpty ? windows : crowded).randomElement(using: &random) else { return nil }
            guard window >= range.lowerBound, window + step - 1 <= range.upperBound else { return nil }
            candidates = all.filter { ScenarioPlan.floor(rows[$0].created, step) == window }
            let chosen: [Int] = switch (knobs.formula, knobs.window) {
            case (.last, _): [candidates.last!]
            case (.count, _): candidates
            default: Array(candidates.suffix(Int.random(in: 1...max(1, min(2, candidates.count - 1)), using: &random)))
            }
            // A `last` gap shows only if the hour's value changes: not when an earlier row has the same tokens.
            if knobs.formula == .last, candidates.count > 1, rows[candidates[candidates.count - 2]].tokens == rows[chosen[0]].tokens {
                return nil
            }
            return Self.sharesNoMinute(chosen, with: all, rows: rows) ? chosen : nil
        }
        let length = Int.random(in: 1...min(3, candidates.count), using: &random)
        let start = Int.random(in: 0...(candidates.count - length), using: &random)
        let chosen = Array(candidates[start..<(start + length)])
        guard chosen.allSatisfy({ range.contains(rows[$0].created) }) else { return nil }
        return Self.sharesNoMinute(chosen, with: all, rows: rows) ? chosen : nil
    }

    /// Stripe summarises whole minutes at the finest, so a gap row sharing its minute with a row Stripe has
    /// cannot be told apart from it; the generator plants only gaps the minute resolution can separate.
    static func sharesNoMinute(_ chosen: [Int], with all: [Int], rows: [ScenarioRow]) -> Bool {
        let planted = Set(chosen)
        let minutes = Set(chosen.map { rows[$0].created / 60 })
        return !all.contains { !planted.contains($0) && minutes.contains(rows[$0].created / 60) }
    }

    /// Complete days of the judged range (an hour of margin before its end).
    var completeDays: [Int64] {
        (0..<40).map { since + Int64($0) * Self.day }.filter { $0 + Self.day <= judgedEnd - Self.hour }
    }

    /// Complete days that do not straddle Stripe's 35-day limit (with two hours of margin for the jobs'
    /// own clocks): on a pre-aggregated meter, tally-retry may overwrite a window only inside the limit, so
    /// a day across it would hold windows of both kinds.
    var daysClearOf35DayLimit: [Int64] {
        let limit = now - 35 * Self.day
        return completeDays.filter { $0 >= limit + 2 * Self.hour || $0 + Self.day <= limit - 2 * Self.hour }
    }

    mutating func plantExtra() {
        var planted = 0
        var counter = 0
        for _ in 0..<40 where planted < 2 {
            guard let team = teams.filter({ $0.slot != nil }).randomElement(using: &random),
                  let day = (knobs.window == .none ? completeDays : daysClearOf35DayLimit).randomElement(using: &random),
                  !usedDays.contains("\(team.customerKey)|\(day)") else { continue }
            let all = dayRows(team, day)
            counter += 1
            let identifier = "dup-\(knobs.seed % 100_000)-\(counter)"
            var event: ScenarioEvent?
            switch (knobs.formula, knobs.window) {
            case (.count, .hour), (.count, .day):
                // A window without usage gets an event: one more window counted.
                let step = knobs.window == .day ? Self.day : Self.hour
                let busy = Set(all.map { ScenarioPlan.floor(rows[$0].created, step) })
                let empty = stride(from: day, to: day + Self.day, by: Int(step)).filter { !busy.contains($0) }
                if let window = empty.randomElement(using: &random) {
                    let time = window + Int64.random(in: 0..<step, using: &random)
                    event = ScenarioEvent(identifier: identifier, customerKey: team.customerKey, value: 1, timestamp: time,
                                          receivedAt: time + 30)
                }
            case (.sum, .none), (.count, .none):
                // The app's event sent twice under another key.
                if let index = all.randomElement(using: &random) {
                    event = ScenarioEvent(identifier: identifier, customerKey: team.customerKey, value: rows[index].tokens,
                                          timestamp: rows[index].created, receivedAt: rows[index].created + 30)
                }
            case (.last, .none):
                // A later reading in the same hour than any row.
                let hours = Dictionary(grouping: all) { ScenarioPlan.floor(rows[$0].created, Self.hour) }
                if let last = hours.values.compactMap({ $0.last }).filter({ rows[$0].created % Self.hour < Self.hour - 1 })
                    .randomElement(using: &random) {
                    event = ScenarioEvent(identifier: identifier, customerKey: team.customerKey, value: rows[last].tokens + 7,
                                          timestamp: rows[last].created + 1, receivedAt: rows[last].created + 30)
                }
            default:
                // Pre-aggregated sum or last: a newer event overwrites the window with a larger value.
                let step = knobs.window == .day ? Self.day : Self.hour
                let windows = Dictionary(grouping: all) { ScenarioPlan.floor(rows[$0].created, step) }
                if let last = windows.values.compactMap({ $0.last }).randomElement(using: &random) {
                    let bump = Int64.random(in: 1...50, using: &random)
                    event = ScenarioEvent(identifier: identifier, customerKey: team.customerKey,
                                          value: value(ofRow: last) + bump, timestamp: rows[last].created,
                                          receivedAt: rows[last].created + 30)
                }
            }
            guard let event else { continue }
            usedDays.insert("\(team.customerKey)|\(day)")
            extras.append(event)
            plants.append(Plant(kind: .extraInStripe, customerKey: team.customerKey, day: day, rowIDs: []))
            planted += 1
        }
        if planted == 0 { notPlanted.append(.extraInStripe) }
    }

    mutating func plantMissingCustomer() {
        guard let team = teams.first(where: { $0.slot == nil }) else { return }
        var days = Set<Int64>()
        for row in rows where row.teamID == team.id && row.created < judgedEnd {
            days.insert(ScenarioPlan.floor(row.created, Self.day))
        }
        for day in days.sorted() {
            plants.append(Plant(kind: .missingCustomer, customerKey: team.customerKey, day: day, rowIDs: []))
        }
        if days.isEmpty { notPlanted.append(.missingCustomer) }
    }

    mutating func plantOrphan(slot: Int) {
        let key = "slot-\(slot)"
        var counter = 0
        for day in completeDays.shuffled(using: &random).prefix(Int.random(in: 2...4, using: &random)).sorted() {
            var times = Set<Int64>()
            for _ in 0..<Int.random(in: 1...3, using: &random) { times.insert(day + Int64.random(in: 0..<Self.day, using: &random)) }
            for time in times.sorted() {
                counter += 1
                extras.append(ScenarioEvent(identifier: "orphan-\(counter)", customerKey: key,
                                            value: Int64.random(in: 1...300, using: &random), timestamp: time, receivedAt: time + 2))
            }
            plants.append(Plant(kind: .unknownCustomer, customerKey: key, day: day, rowIDs: []))
        }
    }

    mutating func plantBadRows() {
        for day in completeDays.filter({ $0 >= now - 34 * Self.day }).shuffled(using: &random).prefix(Int.random(in: 1...2, using: &random)) {
            var ids: [Int64] = []
            for _ in 0..<Int.random(in: 1...2, using: &random) {
                ids.append(rows[addRow(team: nil, created: day + Int64.random(in: 0..<Self.day, using: &random))].id)
            }
            if let team = teams.filter({ $0.slot != nil }).randomElement(using: &random) {
                let time = day + Int64.random(in: 0..<Self.day, using: &random)
                if !takenSeconds.contains("\(team.id)|\(time)") {
                    ids.append(rows[addRow(team: team, created: time, tokens: -Int64.random(in: 1...100, using: &random))].id)
                }
            }
            plants.append(Plant(kind: .badRows, customerKey: "none", day: day, rowIDs: ids))
        }
    }

    // MARK: events

    /// The value the app sends for a row: a pre-aggregated sum meter gets the window's running total.
    func value(ofRow index: Int) -> Int64 {
        let row = rows[index]
        switch (knobs.formula, knobs.window.seconds) {
        case (.count, .some): return 1
        case (.sum, .some(let step)):
            let window = ScenarioPlan.floor(row.created, step)
            return rows.filter {
                $0.customerKey == row.customerKey && !$0.isBad && $0.created >= window && $0.created <= row.created
            }.reduce(0) { $0 + $1.tokens }
        default: return row.tokens
        }
    }

    func actualEvents() -> [ScenarioEvent] {
        var events: [ScenarioEvent] = []
        for index in rows.indices {
            guard let received = sentAt[index], let key = rows[index].customerKey, key.hasPrefix("slot-") else { continue }
            events.append(ScenarioEvent(identifier: rows[index].identifier ?? "tu_\(rows[index].id)", customerKey: key,
                                        value: value(ofRow: index), timestamp: rows[index].created, receivedAt: received))
        }
        return (events + extras).enumerated().sorted { ($0.element.receivedAt, $0.offset) < ($1.element.receivedAt, $1.offset) }
            .map(\.element)
    }

    func idealEvents() -> [ScenarioEvent] {
        rows.indices.filter { rows[$0].customerKey != nil }
            .sorted { (rows[$0].created, rows[$0].id) < (rows[$1].created, rows[$1].id) }
            .map { ScenarioEvent(identifier: "tu_\(rows[$0].id)", customerKey: rows[$0].customerKey!, value: value(ofRow: $0),
                                 timestamp: rows[$0].created, receivedAt: rows[$0].created + 2) }
    }
}
