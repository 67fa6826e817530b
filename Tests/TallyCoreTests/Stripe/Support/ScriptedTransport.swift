import Foundation
import Synchronization
import TallyCore

/// An in-memory `HTTPTransport` that answers from a script, in order, and keeps every request it saw.
/// When the script runs out it repeats the last answer.
final class ScriptedTransport: HTTPTransport {
    enum Answer: Sendable {
        case response(HTTPResponse)
        case failure(HTTPTransportError)
    }

    private let state: Mutex<(script: [Answer], seen: [HTTPRequest])>

    init(_ script: [Answer]) {
        state = Mutex((script, []))
    }

    var requests: [HTTPRequest] { state.withLock { $0.seen } }

    func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        let answer = state.withLock { state -> Answer in
            state.seen.append(request)
            return state.script.count > 1 ? state.script.removeFirst() : state.script[0]
        }
        switch answer {
        case .response(let response): return response
        case .failure(let error): throw error
        }
    }

    static func json(_ status: Int, _ body: String, headers: HTTPHeaderFields = [:]) -> Answer {
        var headers = headers
        headers.add(name: "Request-Id", value: "req_test_\(status)")
        headers.add(name: "Content-Type", value: "application/json")
        return .response(HTTPResponse(status: status, headers: headers, body: Data(body.utf8)))
    }

    static func stripeError(_ status: Int, type: String, code: String? = nil, message: String,
                            headers: HTTPHeaderFields = [:]) -> Answer {
        let codePart = code.map { "\"code\": \"\($0)\", " } ?? ""
        return json(status, #"{"error": {"type": "\#(type)", \#(codePart)"message": "\#(message)", "doc_url": "https://docs.stripe.com/error-codes"}}"#,
                    headers: headers)
    }
}
