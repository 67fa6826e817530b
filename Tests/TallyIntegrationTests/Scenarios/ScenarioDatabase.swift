import Foundation
import TallyCore
import TallyTestKit

/// The sample app's tables with `token_usage` times stored in the scenario's format, filled with the
/// plan's rows through plain SQL (every value generated here, none from outside).
enum ScenarioDatabase {
    static func create(_ plan: ScenarioPlan, customers: [String: String], at location: DatabaseLocation) async throws {
        let format = plan.knobs.timestamps
        let schema = SampleAppDatabase.schema(for: location.backend).filter { !$0.contains("token_usage") }
        var statements = schema + [usageTable(format), "CREATE INDEX token_usage_team_created ON token_usage (team_id, created_at)"]
        for team in plan.teams {
            let customer = team.slot.flatMap { customers["slot-\($0)"] }.map { "'\($0)'" } ?? "NULL"
            statements.append("INSERT INTO teams (id, name, stripe_customer_id) VALUES (\(team.id), 'Team \(team.id)', \(customer))")
            statements.append("INSERT INTO users (id, name, email) VALUES (\(team.id * 10 + 1), 'Owner \(team.id)', 'owner\(team.id)@example.com')")
            statements.append("INSERT INTO team_members (user_id, team_id, role) VALUES (\(team.id * 10 + 1), \(team.id), 'owner')")
        }
        for start in stride(from: 0, to: plan.rows.count, by: 500) {
            let values = plan.rows[start..<min(start + 500, plan.rows.count)].map { row in
                let team = row.teamID.map(String.init) ?? "NULL"
                let user = row.teamID.map { String($0 * 10 + 1) } ?? "NULL"
                let identifier = row.identifier.map { "'\($0)'" } ?? "NULL"
                let reported = row.reportedAt.map { literal($0, millis: row.millis, format) } ?? "NULL"
                return "(\(row.id), \(team), \(user), 'chat', \(row.tokens), \(literal(row.created, millis: row.millis, format)), \(identifier), \(reported))"
            }
            statements.append("INSERT INTO token_usage (id, team_id, user_id, action, tokens, created_at, meter_event_identifier, meter_reported_at) VALUES\n"
                              + values.joined(separator: ",\n"))
        }
        try await SampleAppDatabase.execute(statements, at: location)
    }

    static func usageTable(_ format: ScenarioTimestampFormat) -> String {
        let time = switch format {
        case .unixSeconds: "INTEGER"
        case .isoSeconds, .isoMillis, .sqlText: "TEXT"
        case .pgTimestamp, .pgTimestampMillis: "timestamp"
        case .pgTimestamptz: "timestamptz"
        }
        let (id, integer, text) = format.backend == .sqlite ? ("INTEGER PRIMARY KEY", "INTEGER", "TEXT") : ("serial PRIMARY KEY", "integer", "text")
        return """
            CREATE TABLE token_usage (
                id \(id),
                team_id \(integer) REFERENCES teams (id),
                user_id \(integer) REFERENCES users (id),
                action \(text) NOT NULL,
                tokens \(integer) NOT NULL,
                created_at \(time) NOT NULL,
                meter_event_identifier \(text),
                meter_reported_at \(time)
            )
            """
    }

    /// A time as the column holds it.
    static func literal(_ seconds: Int64, millis: Int, _ format: ScenarioTimestampFormat) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let date = String(format: "%04d-%02d-%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
        let clock = String(format: "%02d:%02d:%02d", Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        let fraction = String(format: ".%03d", millis)
        return switch format {
        case .unixSeconds: String(seconds)
        case .isoSeconds: "'\(date)T\(clock)Z'"
        case .isoMillis: "'\(date)T\(clock)\(fraction)Z'"
        case .sqlText, .pgTimestamp: "'\(date) \(clock)'"
        case .pgTimestamptz: "'\(date) \(clock)+00'"
        case .pgTimestampMillis: "'\(date) \(clock)\(fraction)'"
        }
    }
}
