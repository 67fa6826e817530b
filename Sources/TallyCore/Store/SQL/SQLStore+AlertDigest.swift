import Foundation

extension SQLStore: AlertDigestStore {
    func announcedProblems() async throws -> [AnnouncedProblem] {
        try await sql.query("""
            SELECT problem_key, line, total, window_end, first_seen, announced_at FROM \(raw: prefix)alert_digest ORDER BY problem_key
            """).map { row in
            AnnouncedProblem(key: try row["problem_key"], line: try row["line"], total: try row["total"], end: try row["window_end"],
                             firstSeen: try row["first_seen"], announcedAt: try row["announced_at"])
        }
    }

    func replaceAnnouncedProblems(_ problems: [AnnouncedProblem]) async throws {
        let table = "\(prefix)alert_digest"
        try await sql.transaction { sql in
            try await sql.execute("DELETE FROM \(raw: table)")
            guard !problems.isEmpty else { return }
            try await sql.execute(.insert(into: table, columns: ["problem_key", "line", "total", "window_end", "first_seen", "announced_at"],
                                          rows: problems.map { [$0.key, $0.line, $0.total, $0.end, $0.firstSeen, $0.announcedAt] }))
        }
    }
}
