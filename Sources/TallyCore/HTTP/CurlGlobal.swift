import CCurl

/// libcurl's process-wide initialisation, done once before the first handle is created.
enum CurlGlobal {
    /// Evaluated once, thread-safely, by Swift's lazy global initialisation; curl_global_init is not
    /// thread-safe itself, so it must never run twice concurrently.
    static let initialized: Bool = tally_curl_global_init_default() == CURLE_OK
}
