import CCurl
import Foundation

/// One exchange in flight: the easy handle, its header list and the buffers curl writes into.
///
/// The submitting task configures it and hands it to `CurlMultiLoop`; from then on only the loop's thread
/// touches it, until `finish` resumes the awaiting task exactly once.
final class CurlTransfer: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var responseHeaders = HTTPHeaderFields()
    private var responseBody = Data()
    private var finished = false
    /// The most body bytes this transfer keeps; past it the transfer stops (`responseTooLarge`).
    private let maxBodyBytes: Int
    private var bodyTooLarge = false

    /// Set by the submitting task before the transfer is queued.
    var continuation: CheckedContinuation<HTTPResponse, any Error>?
    /// Guarded by the owning loop's lock: whether the transfer was queued, and whether its task was cancelled.
    var submitted = false
    var cancelRequested = false

    init(request: HTTPRequest, maxBodyBytes: Int = CurlTransport.defaultMaxResponseBytes) throws {
        self.maxBodyBytes = maxBodyBytes
        _ = CurlGlobal.initialized
        guard let handle = curl_easy_init() else {
            throw HTTPTransportError(kind: .other, message: "libcurl could not create a handle", code: -1)
        }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        configure(request)
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    private func configure(_ request: HTTPRequest) {
        let h = handle
        tally_curl_setopt_string(h, CURLOPT_URL, request.url)
        tally_curl_setopt_string(h, CURLOPT_PROTOCOLS_STR, "http,https")
        // Verification is never switched off: the key travels in these requests.
        tally_curl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1)
        tally_curl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2)
        // Signals cannot be used for timeouts in a multi-threaded process.
        tally_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        tally_curl_setopt_long(h, CURLOPT_TCP_KEEPALIVE, 1)
        tally_curl_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0)
        tally_curl_setopt_string(h, CURLOPT_ACCEPT_ENCODING, "")
        tally_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(request.connectTimeout))
        tally_curl_setopt_long(h, CURLOPT_TIMEOUT_MS, milliseconds(request.totalTimeout))
        tally_curl_setopt_pointer(h, CURLOPT_ERRORBUFFER, errorBuffer)

        switch request.method {
        case .get:
            tally_curl_setopt_long(h, CURLOPT_HTTPGET, 1)
        case .post:
            tally_curl_setopt_long(h, CURLOPT_POST, 1)
        case .delete:
            tally_curl_setopt_string(h, CURLOPT_CUSTOMREQUEST, "DELETE")
        }
        if request.method != .get || request.body != nil {
            let body = request.body ?? Data()
            tally_curl_setopt_off(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            body.withUnsafeBytes { bytes in
                // COPYPOSTFIELDS copies the bytes now, so `body` need not outlive this call.
                let empty: StaticString = ""
                let pointer = bytes.baseAddress ?? UnsafeRawPointer(empty.utf8Start)
                tally_curl_setopt_pointer(h, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: pointer))
            }
        }

        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // curl would otherwise wait for a `100 Continue` before sending larger bodies.
        headerList = curl_slist_append(headerList, "Expect:")
        tally_curl_setopt_slist(h, CURLOPT_HTTPHEADER, headerList)

        let me = Unmanaged.passUnretained(self).toOpaque()
        tally_curl_setopt_write_function(h, curlWriteBody)
        tally_curl_setopt_pointer(h, CURLOPT_WRITEDATA, me)
        tally_curl_setopt_header_function(h, curlWriteHeader)
        tally_curl_setopt_pointer(h, CURLOPT_HEADERDATA, me)
    }

    private func milliseconds(_ duration: Duration) -> Int {
        max(1, Int((duration.timeInterval * 1000).rounded(.up)))
    }

    /// Keeps `bytes` unless they take the body past the cap; false tells curl to stop the transfer.
    fileprivate func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard responseBody.count + bytes.count <= maxBodyBytes else {
            bodyTooLarge = true
            return false
        }
        responseBody.append(contentsOf: bytes)
        return true
    }

    fileprivate func appendHeaderLine(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            // A new status line (after a 100 Continue, say) starts a new header block.
            responseHeaders = HTTPHeaderFields()
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = String(trimmed[..<colon])
            let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            responseHeaders.add(name: name, value: value)
        }
    }

    /// Turns curl's verdict into a response or a typed error and resumes the awaiting task.
    func complete(with code: CURLcode) {
        if bodyTooLarge {
            // Stopped by the write callback: the body read so far is dropped, not handed on half-read.
            responseBody = Data()
            finish(.failure(HTTPTransportError(kind: .responseTooLarge,
                                               message: "the response body passed \(maxBodyBytes) bytes", code: Int(code.rawValue))))
            return
        }
        guard code == CURLE_OK else {
            finish(.failure(transportError(for: code)))
            return
        }
        var status = 0
        tally_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        finish(.success(HTTPResponse(status: status, headers: responseHeaders, body: responseBody)))
    }

    /// Resumes the awaiting task; later calls are ignored.
    func finish(_ result: Result<HTTPResponse, any Error>) {
        guard !finished else { return }
        finished = true
        continuation?.resume(with: result)
        continuation = nil
    }

    private func transportError(for code: CURLcode) -> HTTPTransportError {
        let detail = String(cString: errorBuffer)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let kind: HTTPTransportError.Kind
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            kind = .timeout
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            kind = .connectFailed
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE:
            kind = .tls
        default:
            kind = .other
        }
        return HTTPTransportError(kind: kind, message: message, code: Int(code.rawValue))
    }
}

/// curl's body callback: appends to the transfer named by `userdata`.
private func curlWriteBody(
    _ pointer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    guard let pointer, let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    // Returning less than was offered makes curl abort the transfer with CURLE_WRITE_ERROR.
    return transfer.appendBody(UnsafeRawBufferPointer(start: pointer, count: size * count)) ? size * count : 0
}

/// curl's header callback: called once per header line, status line included.
private func curlWriteHeader(
    _ pointer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    guard let pointer, let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: pointer, count: size * count)
    transfer.appendHeaderLine(String(decoding: bytes, as: UTF8.self))
    return size * count
}
