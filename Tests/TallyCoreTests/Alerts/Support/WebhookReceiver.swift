import Foundation
import Synchronization
import TallyTestKit

/// A team's webhook endpoint on loopback: a small Python HTTP server that checks `X-Tally-Signature` with its
/// own HMAC-SHA256 (independent of Tally's code), answers 200 when it matches and 401 when not, and logs each
/// POST as a JSON line.
final class WebhookReceiver: Sendable {
    let port: Int
    let log: URL
    private let process: SpawnedProcess
    private let stopped = Atomic<Bool>(false)

    var url: String { "http://127.0.0.1:\(port)/hooks/tally" }

    private init(port: Int, log: URL, process: SpawnedProcess) {
        self.port = port
        self.log = log
        self.process = process
    }

    /// A received POST as the receiver judged it.
    struct Delivery: Decodable {
        var valid: Bool
        var text: String
        var timestamp: String
    }

    static let script = #"""
    import hashlib, hmac, json, sys
    from http.server import BaseHTTPRequestHandler, HTTPServer
    port, secret, log = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            timestamp = self.headers.get("X-Tally-Timestamp", "")
            expected = "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
            valid = hmac.compare_digest(expected, self.headers.get("X-Tally-Signature", ""))
            with open(log, "a") as f:
                f.write(json.dumps({"valid": valid, "text": json.loads(body).get("text", ""), "timestamp": timestamp}) + "\n")
            self.send_response(200 if valid else 401)
            self.end_headers()
        def log_message(self, *args):
            pass
    HTTPServer(("127.0.0.1", port), Handler).serve_forever()
    """#

    /// Starts a receiver that accepts what is signed with `secret`.
    static func start(secret: String) async throws -> WebhookReceiver {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-webhook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let scriptFile = directory.appendingPathComponent("receiver.py")
        try Data(script.utf8).write(to: scriptFile)
        let log = directory.appendingPathComponent("deliveries.jsonl")
        let port = try FreePort.find()
        let process = try SpawnedProcess.spawn(SMTPTestServer.python, arguments: [scriptFile.path, String(port), secret, log.path])
        // Waiting for the child to listen is start-up, not a timed assertion.
        for _ in 0..<200 {
            if FreePort.isListening(port) { return WebhookReceiver(port: port, log: log, process: process) }
            try await Task.sleep(for: .milliseconds(25))
        }
        process.stop()
        throw TestEnvironmentError("the Python webhook receiver did not start listening")
    }

    /// Every POST received so far.
    func deliveries() throws -> [Delivery] {
        guard let data = FileManager.default.contents(atPath: log.path) else { return [] }
        return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(Delivery.self, from: Data($0)) }
    }

    func stop() {
        if !stopped.exchange(true, ordering: .acquiringAndReleasing) { process.stop() }
        try? FileManager.default.removeItem(at: log.deletingLastPathComponent())
    }

    deinit { if !stopped.exchange(true, ordering: .acquiringAndReleasing) { process.stop() } }
}
