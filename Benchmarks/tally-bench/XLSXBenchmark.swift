import ArgumentParser
import Foundation
import TallyCore

/// `tally-bench xlsx`: writes a usage sheet of a million rows with Tally's Swift `Workbook` (constant
/// memory) and with a minimal C program over the same libxlsxwriter, in the same run, and prints Python
/// XlsxWriter's time beside them. Each writer runs in its own process and reports its own time and
/// peak memory (VmHWM), so the memory figures at 250k, 500k and 1M rows show whether memory stays flat.
struct XLSXBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xlsx", abstract: "Swift XLSX writer vs libxlsxwriter in C vs Python XlsxWriter.")

    @Option(help: "Rows for the timed comparison.")
    var rows = 1_000_000

    @Option(parsing: .upToNextOption, help: "Row counts at which peak memory is measured.")
    var memoryRows = [250_000, 500_000, 1_000_000]

    @Option(help: "Interleaved Swift/C pairs at --rows (the memory sweep's pair is the first); the median ratio is reported.")
    var repetitions = 3

    @Flag(help: "Skip Python XlsxWriter.")
    var skipPython = false

    @Option(help: .hidden)
    var child: String?

    func run() async throws {
        if let child {
            print(try await Self.writeSwiftSheet(rows: rows, to: URL(fileURLWithPath: child)).json)
            return
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tally-bench-xlsx-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let cProgram = try Self.compileCBaseline(into: scratch)

        print("XLSX usage sheet: 6 columns (date, team, customer, action, tokens, cost), constant-memory mode")
        var results: [WriterRun] = []
        for count in Array(Set(memoryRows + [rows])).sorted() {
            results.append(try Self.runChild(
                [Self.ownExecutable, "xlsx", "--rows", "\(count)", "--child", scratch.appendingPathComponent("swift.xlsx").path],
                writer: "swift"))
            results.append(try Self.runChild(
                [cProgram, "\(count)", scratch.appendingPathComponent("c.xlsx").path, scratch.path], writer: "c"))
        }
        // More Swift/C pairs at the timed size, alternating, for a median and a spread rather than one pair.
        for _ in 1..<max(1, repetitions) {
            results.append(try Self.runChild(
                [Self.ownExecutable, "xlsx", "--rows", "\(rows)", "--child", scratch.appendingPathComponent("swift.xlsx").path],
                writer: "swift"))
            results.append(try Self.runChild(
                [cProgram, "\(rows)", scratch.appendingPathComponent("c.xlsx").path, scratch.path], writer: "c"))
        }
        if !skipPython {
            if let python = try? Self.runChild(
                ["/usr/bin/env", "python3", Self.benchmarkSource("usage_sheet.py"), "\(rows)",
                 scratch.appendingPathComponent("python.xlsx").path, scratch.path], writer: "python") {
                results.append(python)
            } else {
                print("python: skipped (python3 with XlsxWriter not available: pip install XlsxWriter)")
            }
        }
        print("")
        print("writer  rows       seconds  peak MB")
        for run in results {
            print(run.writer.padding(toLength: 8, withPad: " ", startingAt: 0)
                  + String(run.rows).padding(toLength: 11, withPad: " ", startingAt: 0)
                  + String(format: "%7.2f  %7.1f", run.seconds, Double(run.peakKB) / 1024))
        }
        let swiftTimes = results.filter { $0.writer == "swift" && $0.rows == rows }.map(\.seconds)
        let cTimes = results.filter { $0.writer == "c" && $0.rows == rows }.map(\.seconds)
        if !swiftTimes.isEmpty, !cTimes.isEmpty {
            print(String(format: "\nSwift / C at %d rows: %@ over %d interleaved pairs, medians %.2f s and %.2f s (target <= 1.30x); load %@",
                         rows, Interleaved.ratioText(swiftTimes, over: cTimes), min(swiftTimes.count, cTimes.count),
                         Interleaved.median(swiftTimes), Interleaved.median(cTimes), Interleaved.loadAverage()))
        }
        if let python = results.first(where: { $0.writer == "python" }), !cTimes.isEmpty {
            print(String(format: "Python / C at %d rows: %.2fx (one Python run against the median C run)", rows,
                         python.seconds / Interleaved.median(cTimes)))
        }
    }

    /// This executable, to run the Swift writer in a child process of its own.
    static var ownExecutable: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
    }

    /// What one writer process reports: `{"writer":…,"rows":…,"seconds":…,"peak_kb":…}`.
    struct WriterRun: Codable {
        var writer: String
        var rows: Int
        var seconds: Double
        var peakKB: Int

        enum CodingKeys: String, CodingKey {
            case writer, rows, seconds
            case peakKB = "peak_kb"
        }

        var json: String { String(decoding: try! JSONEncoder().encode(self), as: UTF8.self) }
    }

    /// The Swift side: the same cells as `Benchmarks/xlsx/usage_sheet.c`, through `Workbook`.
    static func writeSwiftSheet(rows: Int, to url: URL) async throws -> WriterRun {
        let teams = (0..<500).map { "Team \($0)" }
        let customers = (0..<500).map { "cus_" + String(format: "%08d", $0 * 7919) }
        let actions = ["chat.completion", "embedding", "image.generation"]
        let firstDay = Date(timeIntervalSince1970: 1_793_491_200)  // 2026-11-01T00:00:00Z
        let options = WorkbookOptions(constantMemory: true, temporaryDirectory: url.deletingLastPathComponent())
        let start = ContinuousClock.now
        try await Workbook.write(to: url, properties: DocumentProperties(title: "Usage"), options: options) { workbook in
            let sheet = try workbook.addWorksheet(
                named: "Usage", columns: ["Day", "Team", "Customer", "Action", "Tokens", "Cost"])
            for i in 0..<rows {
                let tokens = Int64((i * 7919) % 10_000 + 1)
                try sheet.append([
                    .date(firstDay.addingTimeInterval(Double((i * 30) / rows) * 86_400)),
                    .text(teams[i % 500]), .text(customers[i % 500]), .text(actions[i % 3]),
                    .integer(tokens), .money(minorUnits: tokens * 3, currency: "usd"),
                ])
            }
        }
        let elapsed = ContinuousClock.now - start
        return WriterRun(writer: "swift", rows: rows, seconds: elapsed.timeInterval, peakKB: peakResidentKB())
    }

    /// Peak resident memory of this process (VmHWM), in KiB.
    static func peakResidentKB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return -1 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1
    }

    /// Compiles `Benchmarks/xlsx/usage_sheet.c` with `cc -O2` (a fresh build every run, so it matches the source).
    static func compileCBaseline(into directory: URL) throws -> String {
        let binary = directory.appendingPathComponent("usage_sheet").path
        try runProcess(["/usr/bin/env", "cc", "-O2", "-o", binary, benchmarkSource("usage_sheet.c"), "-lxlsxwriter"])
        return binary
    }

    static func benchmarkSource(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("xlsx").appendingPathComponent(name).path
    }

    /// Runs one writer process and decodes the JSON line it prints.
    static func runChild(_ arguments: [String], writer: String) throws -> WriterRun {
        let output = try runProcess(arguments)
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let run = try? JSONDecoder().decode(WriterRun.self, from: Data(line.utf8))
        else { throw ValidationError("\(writer) printed no result: \(output)") }
        return run
    }

    @discardableResult
    static func runProcess(_ arguments: [String]) throws -> String {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("\(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
        return String(decoding: output, as: UTF8.self)
    }
}
