/// What the SQL store needs from a backend besides running statements: the parts that cannot be written
/// once (locks, catalog look-ups, closing). `SQLiteDatabase` and `PostgresDatabase` are the two.
protocol SQLDatabase: Sendable {
    /// Runs the statements.
    var executor: any SQLExecutor { get }
    /// Takes the lock for `job` without waiting (SQLite: a file lock beside the database; PostgreSQL: a
    /// session advisory lock); nil when another run holds it.
    func tryLock(job: String) async throws -> (any JobLock)?
    /// The lower-cased column names of one of the app's tables (empty when there is no such table).
    func columnNames(ofTable table: String) async throws -> Set<String>
    /// The names of the tables in the database.
    func tableNames() async throws -> Set<String>
    /// The identifiers of the applied migrations, oldest first.
    func appliedMigrations() async throws -> [String]
    /// Closes connections; unusable afterwards.
    func close() async throws
    /// Runs `body` with `count` read-only connections of its own, closed afterwards, so one long read can run
    /// in slices on separate cores. Nil where that does not apply: PostgreSQL parallelises a scan itself, and
    /// a private in-memory SQLite database cannot be opened twice.
    func withReaders<T: Sendable>(_ count: Int, _ body: @Sendable ([any SQLExecutor]) async throws -> T) async throws -> T?
}
