import Foundation
import TallyTestKit

/// One timed run of a whole command: its wall time, its own peak resident memory (GNU time's `%M`, so a
/// child's figure never includes this process) and its exit code.
struct CommandRun: Sendable {
    var seconds: Double
    var peakMegabytes: Double
    var exitCode: Int32
}

/// Runs whole commands the way `farm-bench` does, in this process so a benchmark is one command: each pair
/// of contenders interleaved (A B A B …), so load that comes and goes on a shared machine falls on both.
enum Interleaved {
    /// Runs `command` with `environment` (this process's when nil), stdout and stderr to `log`, under
    /// `/usr/bin/time` for the peak memory.
    static func run(_ command: [String], environment: [String: String]? = nil, log: String = "/dev/null") async throws -> CommandRun {
        let peakFile = FileManager.default.temporaryDirectory.appendingPathComponent("tally-bench-peak-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: peakFile) }
        let began = ContinuousClock.now
        let process = try SpawnedProcess.spawn("/usr/bin/time", arguments: ["-f", "%M", "-o", peakFile] + command,
                                               environment: environment, stdout: log, stderr: log)
        let status = await process.wait()
        let seconds = (ContinuousClock.now - began).timeInterval
        let text = (try? String(contentsOfFile: peakFile, encoding: .utf8)) ?? ""
        let kilobytes = text.split(separator: "\n").last.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) } ?? 0
        return CommandRun(seconds: seconds, peakMegabytes: kilobytes / 1_024, exitCode: status)
    }

    /// The median of `values` (the mean of the middle two for an even count).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// "1.23x (1.10–1.40)": the median of the pairwise ratios and their spread.
    static func ratioText(_ a: [Double], over b: [Double]) -> String {
        let ratios = zip(a, b).map { $0 / max($1, 1e-9) }
        return String(format: "%.2fx (%.2f–%.2f)", median(ratios), ratios.min() ?? .nan, ratios.max() ?? .nan)
    }

    /// The machine's load average over the last minute, for the record next to each result.
    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").first.map(String.init) ?? "?"
    }
}
