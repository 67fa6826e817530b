import Foundation

/// An email read back by Python's standard `email` package, an independent RFC 5322/MIME parser, so a
/// test checks what a real mail client would see rather than what Tally believes it wrote.
public struct ParsedEmail: Decodable, Sendable {
    public struct Part: Decodable, Sendable {
        public var contentType: String
        public var filename: String?
        /// Decoded text for text parts, base64 for others.
        public var content: String
    }

    /// Header name (lower-cased) to its decoded values, in order.
    public var headers: [String: [String]]
    public var parts: [Part]
    /// Defects Python's parser found (a well-formed message has none).
    public var defects: [String]

    public func header(_ name: String) -> String? { headers[name.lowercased()]?.first }

    public var text: String? { parts.first { $0.contentType == "text/plain" && $0.filename == nil }?.content }
    public var html: String? { parts.first { $0.contentType == "text/html" && $0.filename == nil }?.content }
    public var attachments: [Part] { parts.filter { $0.filename != nil } }

    public static func parse(_ data: Data) throws -> ParsedEmail {
        let script = #"""
        import sys, json, email, email.policy, base64
        from email.header import decode_header, make_header
        msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
        headers = {}
        for k, v in msg.items():
            headers.setdefault(k.lower(), []).append(str(v))
        parts, defects = [], [type(d).__name__ for d in msg.defects]
        for part in msg.walk():
            defects += [type(d).__name__ for d in part.defects]
            if part.is_multipart():
                continue
            ctype = part.get_content_type()
            fn = part.get_filename()
            if ctype.startswith("text/") and fn is None:
                content = part.get_content()
            else:
                content = base64.b64encode(part.get_payload(decode=True) or b"").decode()
            parts.append({"contentType": ctype, "filename": fn, "content": content})
        print(json.dumps({"headers": headers, "parts": parts, "defects": defects}))
        """#
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("parsed-email-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let input = scratch.appendingPathComponent("message.eml")
        let output = scratch.appendingPathComponent("parsed.json")
        try data.write(to: input)
        let status = try SpawnedProcess.spawn(SMTPTestServer.python, arguments: ["-c", script], stdin: input.path,
                                              stdout: output.path).waitBlocking()
        guard status == 0 else { throw TestEnvironmentError("python3 could not parse the email") }
        return try JSONDecoder().decode(ParsedEmail.self, from: Data(contentsOf: output))
    }
}
