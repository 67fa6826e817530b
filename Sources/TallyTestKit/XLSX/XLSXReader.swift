import Foundation

/// Reads an XLSX file back for tests: sheets, typed cells with their number formats, frozen panes,
/// autofilters, formulas and charts. It unzips with the system `unzip` command into a temporary directory.
public enum XLSXReader {
    /// Reads the whole workbook at `url`.
    public static func read(_ url: URL) throws -> XLSXWorkbookContents {
        let package = try UnzippedPackage(url)
        defer { package.remove() }
        let workbook = try package.xml("xl/workbook.xml")
        let workbookRelations = try package.relations(of: "xl/workbook.xml")
        let sharedStrings = try package.exists("xl/sharedStrings.xml")
            ? package.xml("xl/sharedStrings.xml").children("si").map(\.allText) : []
        let styles = try StyleTable(package.xml("xl/styles.xml"))
        let sheets = try workbook.descendants("sheet").map { entry -> XLSXSheetContents in
            guard let name = entry.attributes["name"], let id = entry.attributes["r:id"],
                  let path = workbookRelations[id]
            else { throw XLSXReadError(message: "xl/workbook.xml lists a sheet without a name or part") }
            return try readSheet(name: name, path: path, package: package, strings: sharedStrings, styles: styles)
        }
        let core = try? package.xml("docProps/core.xml")
        let app = try? package.xml("docProps/app.xml")
        let definedNames = workbook.descendants("definedName").map {
            XLSXDefinedName(name: $0.attributes["name"] ?? "", localSheetID: $0.attributes["localSheetId"].flatMap(Int.init),
                            value: $0.allText)
        }
        return XLSXWorkbookContents(
            sheets: sheets, title: core?.descendants("title").first?.allText,
            company: app?.descendants("Company").first?.allText, definedNames: definedNames)
    }

    private static func readSheet(
        name: String, path: String, package: UnzippedPackage, strings: [String], styles: StyleTable
    ) throws -> XLSXSheetContents {
        let sheet = try package.xml(path)
        let relations = try package.relations(of: path)
        var cells: [String: XLSXCellContents] = [:]
        for row in sheet.descendants("row") {
            for cell in row.children("c") {
                guard let reference = cell.attributes["r"] else { continue }
                let value: XLSXCellContents.Value
                let raw = cell.child("v")?.text
                switch cell.attributes["t"] {
                case "s": value = .string(raw.flatMap(Int.init).map { strings[$0] } ?? "")
                case "inlineStr": value = .string(cell.child("is")?.allText ?? "")
                case "str": value = .string(raw ?? "")
                case "b": value = .boolean(raw == "1")
                default: value = raw.flatMap(Double.init).map(XLSXCellContents.Value.number) ?? .empty
                }
                let style = cell.attributes["s"].flatMap(Int.init) ?? 0
                cells[reference] = XLSXCellContents(
                    reference: reference, row: Int(reference.drop { $0.isLetter }) ?? 0, value: value,
                    numberFormat: styles.numberFormat(ofStyle: style), hasFormula: cell.child("f") != nil)
            }
        }
        var widths: [Int: Double] = [:]
        for column in sheet.descendants("col") {
            guard let first = column.attributes["min"].flatMap(Int.init),
                  let last = column.attributes["max"].flatMap(Int.init),
                  let width = column.attributes["width"].flatMap(Double.init), first <= last
            else { continue }
            for index in first...last { widths[index - 1] = width }
        }
        var hyperlinks: [String: String] = [:]
        for link in sheet.descendants("hyperlink") {
            if let reference = link.attributes["ref"], let id = link.attributes["r:id"] {
                hyperlinks[reference] = relations[id]
            }
        }
        let charts = try sheet.descendants("drawing").compactMap { $0.attributes["r:id"] }.flatMap { id in
            try relations[id].map { try readCharts(drawingPath: $0, package: package) } ?? []
        }
        let pane = sheet.descendants("pane").first { $0.attributes["state"] == "frozen" }
        return XLSXSheetContents(
            name: name, cells: cells, frozenTopLeftCell: pane?.attributes["topLeftCell"],
            autofilterRange: sheet.child("autoFilter")?.attributes["ref"], columnWidths: widths,
            formulaCount: sheet.descendants("f").count, charts: charts, hyperlinks: hyperlinks,
            pageSetup: sheet.child("pageSetup")?.attributes ?? [:],
            fitsToPage: sheet.child("sheetPr")?.child("pageSetUpPr")?.attributes["fitToPage"] == "1",
            footer: sheet.child("headerFooter")?.child("oddFooter")?.allText,
            rowBreaks: sheet.child("rowBreaks")?.children("brk").compactMap { $0.attributes["id"].flatMap(Int.init) } ?? [])
    }

    private static func readCharts(drawingPath: String, package: UnzippedPackage) throws -> [XLSXChartContents] {
        let drawing = try package.xml(drawingPath)
        let relations = try package.relations(of: drawingPath)
        // Each anchor (`twoCellAnchor`, `oneCellAnchor`) holds one chart and the cells it spans.
        let anchored = drawing.children.flatMap { anchor in
            anchor.descendants("chart").compactMap { $0.attributes["r:id"] }.map { (id: $0, rows: Self.rows(of: anchor)) }
        }
        return try anchored.compactMap { id, rows in
            guard let chartPath = relations[id] else { return nil }
            let chart = try package.xml(chartPath)
            guard let plotArea = chart.descendants("plotArea").first,
                  let plot = plotArea.children.first(where: { $0.name.hasSuffix("Chart") })
            else { return nil }
            var kind = String(plot.name.dropLast("Chart".count))
            if kind == "bar", plot.child("barDir")?.attributes["val"] == "col" { kind = "column" }
            let series = plot.children("ser")
            let title = chart.descendants("title").first.map { $0.descendants("t").map(\.text).joined() }
            let axes = plotArea.children.filter { ["catAx", "dateAx", "valAx", "serAx"].contains($0.name) }.map { axis in
                XLSXChartAxis(
                    kind: axis.name, numberFormat: axis.child("numFmt")?.attributes["formatCode"],
                    sourceLinked: axis.child("numFmt")?.attributes["sourceLinked"] == "1",
                    title: axis.child("title").map { $0.descendants("t").map(\.text).joined() })
            }
            // The chart's own title, not an axis title (those sit inside the axes).
            let chartTitle = chart.descendants("chart").first?.child("title")
                .map { $0.descendants("t").map(\.text).joined() } ?? title
            return XLSXChartContents(
                kind: kind, seriesCount: series.count, title: chartTitle,
                seriesRanges: series.flatMap { $0.descendants("f").map(\.text) }, axes: axes,
                grouping: plot.child("grouping")?.attributes["val"], rows: rows)
        }
    }

    /// The rows from `<from><row>` to `<to><row>` (or `<from>` alone for a one-cell anchor).
    private static func rows(of anchor: XMLTree) -> ClosedRange<Int>? {
        guard let first = anchor.child("from")?.child("row").flatMap({ Int($0.allText) }) else { return nil }
        let last = anchor.child("to")?.child("row").flatMap { Int($0.allText) } ?? first
        return first...max(first, last)
    }
}

/// Number formats by style index, from xl/styles.xml, with Excel's built-in formats filled in.
private struct StyleTable {
    private var formatsByStyle: [String?] = []

    init(_ styles: XMLTree) {
        var custom: [Int: String] = [:]
        for format in styles.descendants("numFmt") {
            if let id = format.attributes["numFmtId"].flatMap(Int.init), let code = format.attributes["formatCode"] {
                custom[id] = code
            }
        }
        let cellStyles = styles.child("cellXfs")?.children("xf") ?? []
        formatsByStyle = cellStyles.map { style in
            let id = style.attributes["numFmtId"].flatMap(Int.init) ?? 0
            return custom[id] ?? Self.builtIn[id]
        }
    }

    func numberFormat(ofStyle index: Int) -> String? {
        index < formatsByStyle.count ? formatsByStyle[index] : nil
    }

    /// Excel's built-in number formats that libxlsxwriter refers to by id instead of writing them out.
    private static let builtIn: [Int: String] = [
        1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 11: "0.00E+00",
        14: "m/d/yyyy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM",
        20: "h:mm", 21: "h:mm:ss", 22: "m/d/yyyy h:mm", 37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)",
        39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss", 46: "[h]:mm:ss",
        47: "mmss.0", 48: "##0.0E+0", 49: "@",
    ]
}

/// An XLSX package unzipped into a temporary directory.
private struct UnzippedPackage {
    let directory: URL

    init(_ url: URL) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("xlsx-read-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let status = try SpawnedProcess.spawn("/usr/bin/unzip", arguments: ["-q", "-o", url.path, "-d", directory.path])
            .waitBlocking()
        guard status == 0 else {
            remove()
            throw XLSXReadError(message: "\(url.path) is not a zip archive (unzip exited \(status))")
        }
    }

    func exists(_ part: String) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(part).path)
    }

    func xml(_ part: String) throws -> XMLTree {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(part).path) else {
            throw XLSXReadError(message: "the workbook has no part \(part)")
        }
        return try XMLTree.parse(data)
    }

    /// The relationships of `part` (`xl/worksheets/_rels/sheet1.xml.rels`), targets resolved to part paths.
    func relations(of part: String) throws -> [String: String] {
        let folder = (part as NSString).deletingLastPathComponent
        let relsPath = "\(folder)/_rels/\((part as NSString).lastPathComponent).rels"
        guard exists(relsPath) else { return [:] }
        var result: [String: String] = [:]
        for relation in try xml(relsPath).children("Relationship") {
            guard let id = relation.attributes["Id"], let target = relation.attributes["Target"] else { continue }
            if relation.attributes["TargetMode"] == "External" || target.contains("://") {
                result[id] = target
            } else if target.hasPrefix("/") {
                result[id] = String(target.dropFirst())
            } else {
                result[id] = Self.normalise("\(folder)/\(target)")
            }
        }
        return result
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    private static func normalise(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == ".." { _ = parts.popLast() } else if part != "." { parts.append(part) }
        }
        return parts.joined(separator: "/")
    }
}
