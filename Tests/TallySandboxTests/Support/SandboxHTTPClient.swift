import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TallySandbox

/// A response as the tests read it.
struct SandboxResponse: Sendable {
    var status: Int
    var headers: [String: String]
    var body: String

    /// The JSON body as a dictionary.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }

    /// `data` of a list body.
    var data: [[String: Any]] { json["data"] as? [[String: Any]] ?? [] }

    /// `error` of an error body.
    var error: [String: Any] { json["error"] as? [String: Any] ?? [:] }

    /// A header value, case-insensitive.
    func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }
}

/// A tiny Stripe-style client over real loopback HTTP (URLSession), form-encoding like Stripe's SDKs.
struct SandboxHTTPClient: Sendable {
    let baseURL: String
    var apiKey: String? = "sk_test_tally"

    func get(_ path: String, _ query: [(String, String)] = []) async throws -> SandboxResponse {
        try await send("GET", path, query: query)
    }

    func post(_ path: String, _ form: [(String, String)] = [], headers: [String: String] = [:]) async throws
        -> SandboxResponse {
        try await send("POST", path, form: form, headers: headers)
    }

    func send(_ method: String, _ path: String, query: [(String, String)] = [], form: [(String, String)] = [],
              headers: [String: String] = [:], rawBody: String? = nil) async throws -> SandboxResponse {
        var url = baseURL + path
        if !query.isEmpty { url += (path.contains("?") ? "&" : "?") + Self.encode(query) }
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        if let apiKey { request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let rawBody {
            request.httpBody = Data(rawBody.utf8)
        } else if method == "POST" {
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(Self.encode(form).utf8)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields { headers["\(name)"] = "\(value)" }
        return SandboxResponse(status: http.statusCode, headers: headers, body: String(decoding: data, as: UTF8.self))
    }

    static func encode(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map {
            "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
    }
}

/// Starts a simulator on a random loopback port, runs `body`, and always shuts it down.
func withSandbox<Result: Sendable>(
    _ configuration: SimulatorConfiguration = .init(),
    _ body: (StripeSimulator, SandboxHTTPClient) async throws -> Result
) async throws -> Result {
    let simulator = StripeSimulator(configuration: configuration)
    try await simulator.start()
    do {
        let result = try await body(simulator, SandboxHTTPClient(baseURL: simulator.baseURL))
        try await simulator.shutdown()
        return result
    } catch {
        try? await simulator.shutdown()
        throw error
    }
}

/// The simulator's default start time (2026-01-01T00:00:00Z) as Unix seconds.
let sandboxStart: Int64 = 1_767_225_600

/// Seeds a meter over HTTP and returns its id.
func createMeter(_ client: SandboxHTTPClient, eventName: String = "api_tokens", formula: String = "sum",
                 eventTimeWindow: String? = nil) async throws -> String {
    var form = [("display_name", "Tokens"), ("event_name", eventName), ("default_aggregation[formula]", formula)]
    if let eventTimeWindow { form.append(("event_time_window", eventTimeWindow)) }
    let response = try await client.post("/v1/billing/meters", form)
    return response.json["id"] as? String ?? ""
}

/// Sends one meter event over HTTP.
func sendMeterEvent(_ client: SandboxHTTPClient, eventName: String = "api_tokens", customer: String, value: String,
                    identifier: String? = nil, timestamp: Int64? = nil) async throws -> SandboxResponse {
    var form = [("event_name", eventName), ("payload[stripe_customer_id]", customer), ("payload[value]", value)]
    if let identifier { form.append(("identifier", identifier)) }
    if let timestamp { form.append(("timestamp", String(timestamp))) }
    return try await client.post("/v1/billing/meter_events", form)
}
