/// Gives SQL work on the one SQLite connection out in turns, first come first served, so a transaction
/// spanning several `await`s never has another task's statement run inside it.
actor SQLiteTurns {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Runs `body` when it is this caller's turn.
    func take<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
        defer { handOn() }
        return try await body()
    }

    private func handOn() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
