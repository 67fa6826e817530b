/// A report table with the name of the CSV it is also written to.
public struct ReportSheet: Sendable, Equatable {
    public var table: ReportTable
    /// e.g. `finance-invoices.csv`.
    public var csvFileName: String

    public init(_ table: ReportTable, csvFileName: String) {
        self.table = table
        self.csvFileName = csvFileName
    }
}
