import Foundation
import Testing
import TallyCore
import TallyTestKit

/// docs/webhooks.md tells the app's developers how to verify `X-Tally-Signature`. Its Python function is run
/// here, as printed, against signatures Tally produces, so the documentation cannot drift from the code.
@Suite("docs/webhooks.md verification code")
struct WebhookDocumentationTests {
    static let documentation = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/webhooks.md")

    /// The first ```python block of the page.
    static func pythonSnippet() throws -> String {
        let page = try String(contentsOf: documentation, encoding: .utf8)
        guard let start = page.range(of: "```python\n"),
              let end = page.range(of: "\n```", range: start.upperBound..<page.endIndex) else {
            throw TestEnvironmentError("docs/webhooks.md has no ```python block")
        }
        return String(page[start.upperBound..<end.lowerBound])
    }

    struct Case: Encodable {
        var secret: String
        var body: String
        var timestamp: String
        var signature: String
        var now: Int64
    }

    /// Runs the documented `verify_tally_signature` on each case and returns its answers.
    static func verify(_ cases: [Case]) async throws -> [Bool] {
        let harness = try pythonSnippet() + #"""


        import base64, json, sys
        for case in json.loads(sys.argv[1]):
            print(verify_tally_signature(case["secret"], base64.b64decode(case["body"]), case["timestamp"],
                                         case["signature"], now=case["now"]))
        """#
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-webhook-doc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("verify.py")
        try Data(harness.utf8).write(to: script)
        let input = String(decoding: try JSONEncoder().encode(cases), as: UTF8.self)
        let result = try await JobProcess.run(URL(fileURLWithPath: SMTPTestServer.python), arguments: [script.path, input], environment: [:])
        guard result.exitCode == 0 else { throw TestEnvironmentError("the documented Python failed: \(result.stderr)") }
        return result.stdout.split(separator: "\n").map { $0 == "True" }
    }

    @Test("the documented Python accepts Tally's signature and rejects a changed body, another secret and an old timestamp")
    func pythonVerifiesTallysSignature() async throws {
        // Given a webhook body as tally-alerts sends it, signed by Tally with the team's secret,
        let body = try JSONEncoder().encode(["text": "Acme has used 810 of 1,000 tokens (81%) this billing period. Plan: \"Pro\" / €"])
        let timestamp: Int64 = 1_764_470_400
        let signature = WebhookSignature.sign(body: body, timestamp: timestamp, secret: Secret("whsec_acme"))
        let sent = Case(secret: "whsec_acme", body: body.base64EncodedString(), timestamp: String(timestamp),
                        signature: signature, now: timestamp + 30)
        var changed = sent
        changed.body = Data(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "810", with: "81").utf8).base64EncodedString()
        var otherSecret = sent
        otherSecret.secret = "whsec_other"
        var replayed = sent
        replayed.now = timestamp + 301

        // when the receiver runs the documented function,
        let answers = try await Self.verify([sent, changed, otherSecret, replayed])

        // then only the genuine, fresh delivery passes.
        #expect(answers == [true, false, false, false])
    }
}
