import CCurl
import Foundation

/// Delivers email through an SMTP server with libcurl (`smtp://` with STARTTLS, `smtps://` with TLS from
/// the first byte). Each delivery runs on its own thread: libcurl's easy interface blocks.
///
/// Credentials are taken out of the URL and handed to libcurl separately, so no error message, log line
/// or curl diagnostic ever carries the password.
public struct SMTPMailer: Mailer {
    private let url: Secret
    private let timeout: TimeInterval

    public init(url: Secret, timeout: TimeInterval = 60) {
        self.url = url
        self.timeout = timeout
    }

    public func send(_ message: EmailMessage) async throws -> MailDelivery {
        guard var components = URLComponents(string: url.revealed), let host = components.host else {
            throw MailError(kind: .unavailable, message: "SMTP_URL is not a valid smtp:// or smtps:// URL")
        }
        let user = components.user?.removingPercentEncoding
        let password = components.password?.removingPercentEncoding
        components.user = nil
        components.password = nil
        let endpoint = components.string ?? ""
        let loopback = host == "localhost" || host.hasPrefix("127.") || host == "::1"
        let requireTLS = components.scheme == "smtps" || !loopback
        let payload = MIMEEncoder.encode(message)
        let envelope = (from: message.from.address, to: message.to.map(\.address))
        let timeout = self.timeout
        let server = "\(host):\(components.port.map(String.init) ?? (components.scheme == "smtps" ? "465" : "25"))"

        try await DedicatedThread.run(named: "tally-smtp") {
            try SMTPTransfer(endpoint: endpoint, user: user, password: password, requireTLS: requireTLS,
                             timeout: timeout, from: envelope.from, to: envelope.to, payload: payload, server: server).perform()
        }
        return .sent(server: server)
    }
}

/// One blocking libcurl SMTP transfer.
private struct SMTPTransfer {
    var endpoint: String
    var user: String?
    var password: String?
    var requireTLS: Bool
    var timeout: TimeInterval
    var from: String
    var to: [String]
    var payload: Data
    var server: String

    func perform() throws {
        _ = CurlGlobal.initialized
        guard let handle = curl_easy_init() else {
            throw MailError(kind: .unavailable, message: "could not start libcurl for SMTP")
        }
        defer { curl_easy_cleanup(handle) }
        var recipients: UnsafeMutablePointer<curl_slist>?
        for address in to { recipients = curl_slist_append(recipients, "<\(address)>") }
        defer { curl_slist_free_all(recipients) }
        let source = PayloadSource(payload)
        let sourcePointer = Unmanaged.passRetained(source)
        defer { sourcePointer.release() }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { buffer in
            tally_curl_setopt_string(handle, CURLOPT_URL, endpoint)
            tally_curl_setopt_long(handle, CURLOPT_USE_SSL, requireTLS ? Int(CURLUSESSL_ALL.rawValue) : Int(CURLUSESSL_TRY.rawValue))
            tally_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
            tally_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
            if let user { tally_curl_setopt_string(handle, CURLOPT_USERNAME, user) }
            if let password { tally_curl_setopt_string(handle, CURLOPT_PASSWORD, password) }
            tally_curl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(from)>")
            tally_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients)
            tally_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
            tally_curl_setopt_read_function(handle) { buffer, size, count, userdata in
                guard let userdata, let buffer else { return 0 }
                let source = Unmanaged<PayloadSource>.fromOpaque(userdata).takeUnretainedValue()
                return source.read(into: buffer, capacity: size * count)
            }
            tally_curl_setopt_pointer(handle, CURLOPT_READDATA, sourcePointer.toOpaque())
            tally_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, 10_000)
            tally_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
            tally_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
            tally_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, buffer.baseAddress)
            return curl_easy_perform(handle)
        }
        guard code != CURLE_OK else { return }
        let written = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let detail = written.isEmpty ? String(cString: curl_easy_strerror(code)) : written
        var reply = 0
        tally_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &reply)
        throw MailError(kind: Self.kind(code), message: "SMTP delivery to \(server) failed: \(detail)\(reply > 0 ? " (server replied \(reply))" : ""); check SMTP_URL and that the server is up")
    }

    static func kind(_ code: CURLcode) -> MailError.Kind {
        switch code {
        case CURLE_LOGIN_DENIED: .authentication
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST,
             CURLE_OPERATION_TIMEDOUT, CURLE_SSL_CONNECT_ERROR, CURLE_USE_SSL_FAILED, CURLE_GOT_NOTHING:
            .unavailable
        default: .rejected
        }
    }
}

/// Feeds the message to libcurl's read callback.
private final class PayloadSource {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ data: Data) { bytes = Array(data) }

    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let count = min(capacity, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBufferPointer { source in
            UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}
