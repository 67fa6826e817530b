import Foundation

/// How libxlsxwriter builds a workbook.
public struct WorkbookOptions: Sendable, Hashable {
    /// Flush each row to a temporary file as soon as the next row starts, so memory stays flat for a
    /// million rows. Rows must then be written top to bottom, which `WorksheetWriter` always does.
    public var constantMemory: Bool
    /// Where libxlsxwriter keeps its temporary files; `nil` uses the system default (`/tmp`).
    public var temporaryDirectory: URL?
    /// Use ZIP64 for workbooks whose parts exceed 4 GB.
    public var useZip64: Bool
    /// The widest a column sized from its content may get, in Excel character units.
    public var maximumColumnWidth: Double
    /// The paper every sheet is set up to print on.
    public var paper: Paper

    /// The paper sizes finance prints on.
    public enum Paper: Sendable, Hashable {
        case a4
        case letter

        /// Excel's paper code (`<pageSetup paperSize="9">`).
        var excelCode: UInt8 {
            switch self {
            case .a4: 9
            case .letter: 1
            }
        }
    }

    public init(
        constantMemory: Bool = true, temporaryDirectory: URL? = nil, useZip64: Bool = false,
        maximumColumnWidth: Double = 60, paper: Paper = .a4
    ) {
        self.constantMemory = constantMemory
        self.temporaryDirectory = temporaryDirectory
        self.useZip64 = useZip64
        self.maximumColumnWidth = maximumColumnWidth
        self.paper = paper
    }
}

/// The document properties finance sees under File > Info.
public struct DocumentProperties: Sendable, Hashable {
    public var title: String
    public var subject: String?
    public var author: String
    public var company: String

    public init(title: String, subject: String? = nil, author: String = "Tally", company: String = "Tally") {
        self.title = title
        self.subject = subject
        self.author = author
        self.company = company
    }
}
