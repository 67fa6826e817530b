import Foundation
import TallyTestKit

/// Runs the system's Chromium headless on a file, the way a person opens the dashboard from disk: no
/// sandbox (containers), no DNS (`MAP * ~NOTFOUND`, so a page request fails instead of leaving the
/// machine), and a net log that tells the page's own requests from Chromium's background ones.
struct HeadlessChromium {
    static let executable = URL(fileURLWithPath: "/usr/bin/chromium")

    /// What one run saw.
    struct Run {
        var stdout: String
        /// URLs the page itself asked for (requests whose network isolation key is the file:// page).
        var pageRequests: [String]
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs Chromium with `arguments` (e.g. `--dump-dom`) on `page`, in a fresh profile.
    static func run(_ page: URL, arguments: [String]) async throws -> Run {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw Failure(description: "\(executable.path) is missing: install the chromium package (scripts/install-deps)")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let netLog = scratch.appendingPathComponent("net-log.json")
        let result = try await JobProcess.run(executable, arguments: [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=\(scratch.appendingPathComponent("profile").path)",
            "--log-net-log=\(netLog.path)",
        ] + arguments + [page.absoluteString], environment: ["HOME": scratch.path], timeout: .seconds(90))
        guard result.exitCode == 0, !result.timedOut else {
            throw Failure(description: "chromium exited \(result.exitCode)\(result.timedOut ? " (timed out)" : ""): \(result.stderr.suffix(2_000))")
        }
        return Run(stdout: result.stdout, pageRequests: try pageRequests(in: netLog))
    }

    /// The URLs of `URL_REQUEST_START_JOB` events made on behalf of a file:// page (Chromium's own update
    /// and account checks carry other isolation keys), apart from file:// URLs themselves.
    static func pageRequests(in netLog: URL) throws -> [String] {
        let data = try Data(contentsOf: netLog)
        guard let log = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let constants = log["constants"] as? [String: Any],
              let types = constants["logEventTypes"] as? [String: Int],
              let startJob = types["URL_REQUEST_START_JOB"],
              let events = log["events"] as? [[String: Any]]
        else { throw Failure(description: "\(netLog.path) is not a Chromium net log") }
        return events.compactMap { event -> String? in
            guard event["type"] as? Int == startJob, let params = event["params"] as? [String: Any],
                  let url = params["url"] as? String, !url.hasPrefix("file:"),
                  (params["network_isolation_key"] as? String)?.hasPrefix("file://") == true
            else { return nil }
            return url
        }
    }
}
