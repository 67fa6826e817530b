/// Stripe's error envelope: `{"error": {"type", "code", "message", "param", "doc_url", "request_log_url"}}`.
public struct StripeErrorBody: Decodable, Sendable, Equatable {
    public var error: Detail

    /// What Stripe says went wrong.
    public struct Detail: Decodable, Sendable, Equatable {
        /// `api_error`, `card_error`, `idempotency_error`, `invalid_request_error`, …
        public var type: String
        public var code: String?
        public var message: String?
        public var param: String?
        public var docUrl: String?
        public var requestLogUrl: String?
        public var declineCode: String?

        public init(type: String, code: String? = nil, message: String? = nil, param: String? = nil,
                    docUrl: String? = nil, requestLogUrl: String? = nil, declineCode: String? = nil) {
            self.type = type
            self.code = code
            self.message = message
            self.param = param
            self.docUrl = docUrl
            self.requestLogUrl = requestLogUrl
            self.declineCode = declineCode
        }
    }
}
