/// A record Tally expected in its own tables is not there (exit 65: the stored data is not what it wrote).
public struct StoredRecordMissing: TallyFailure, Equatable {
    public var table: String
    public var id: Int64

    public init(table: String, id: Int64) {
        self.table = table
        self.id = id
    }

    public var exitStatus: ExitStatus { .dataError }

    public var description: String {
        "\(table) has no row with id \(id): it was deleted while the job ran, or the job was handed a wrong id; re-run the job"
    }
}

/// A row in Tally's own tables holds a value Tally never writes (exit 65).
public struct StoredRecordInvalid: TallyFailure, Equatable {
    public var table: String
    public var id: Int64
    public var problem: String

    public init(table: String, id: Int64, problem: String) {
        self.table = table
        self.id = id
        self.problem = problem
    }

    public var exitStatus: ExitStatus { .dataError }

    public var description: String {
        "\(table) row \(id) has \(problem): fix or delete the row by hand"
    }
}
