import CCurl
import Foundation
import Synchronization

/// A dedicated thread that drives one libcurl multi handle: every transfer of a `CurlTransport` runs on it,
/// so fifty requests in flight cost one thread and never block Swift's cooperative pool.
///
/// Other threads talk to it only through `inbox` (under a lock) and `curl_multi_wakeup`, the one multi
/// call libcurl documents as safe from another thread.
final class CurlMultiLoop: @unchecked Sendable {
    private struct Inbox {
        var additions: [CurlTransfer] = []
        var cancellations: [CurlTransfer] = []
        var stopping = false
        /// Transfers on the multi handle, as last published by the loop thread.
        var active = 0
    }

    private let multi: UnsafeMutableRawPointer
    private let inbox = Mutex(Inbox())

    init(maxHostConnections: Int) {
        _ = CurlGlobal.initialized
        guard let multi = curl_multi_init() else {
            fatalError("libcurl could not create a multi handle (out of memory)")
        }
        self.multi = multi
        // The multi handle's connection cache is shared by all its transfers: keep-alive reuse is free.
        tally_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxHostConnections)
        tally_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, maxHostConnections)
        let thread = Thread { [self] in run() }
        thread.name = "tally-curl-multi"
        thread.start()
    }

    /// Queues `transfer`; its continuation is resumed when it completes, fails or is cancelled.
    func submit(_ transfer: CurlTransfer) {
        let rejection: (any Error)? = inbox.withLock { inbox in
            if inbox.stopping {
                return HTTPTransportError(kind: .other, message: "the HTTP transport was shut down", code: -1)
            }
            if transfer.cancelRequested { return CancellationError() }
            transfer.submitted = true
            inbox.additions.append(transfer)
            return nil
        }
        if let rejection {
            transfer.finish(.failure(rejection))
        } else {
            curl_multi_wakeup(multi)
        }
    }

    /// Removes `transfer` from the multi handle (or stops it being added) and fails it with `CancellationError`.
    func cancel(_ transfer: CurlTransfer) {
        let queued = inbox.withLock { inbox in
            transfer.cancelRequested = true
            guard transfer.submitted else { return false }
            inbox.cancellations.append(transfer)
            return true
        }
        if queued { curl_multi_wakeup(multi) }
    }

    /// How many transfers are on the multi handle right now (for tests and diagnostics).
    var activeTransfers: Int { inbox.withLock { $0.active } }

    /// Stops the thread; transfers still in flight fail.
    func shutdown() {
        inbox.withLock { $0.stopping = true }
        curl_multi_wakeup(multi)
    }

    private func run() {
        var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        while true {
            let (additions, cancellations, stopping) = inbox.withLock { inbox in
                defer {
                    inbox.additions.removeAll()
                    inbox.cancellations.removeAll()
                }
                return (inbox.additions, inbox.cancellations, inbox.stopping)
            }
            for transfer in additions {
                let code = curl_multi_add_handle(multi, transfer.handle)
                if code == CURLM_OK {
                    active[transfer.handle] = transfer
                } else {
                    let message = String(cString: curl_multi_strerror(code))
                    transfer.finish(.failure(HTTPTransportError(kind: .other, message: message, code: Int(code.rawValue))))
                }
            }
            for transfer in cancellations where active.removeValue(forKey: transfer.handle) != nil {
                curl_multi_remove_handle(multi, transfer.handle)
                transfer.finish(.failure(CancellationError()))
            }
            if stopping {
                for transfer in active.values {
                    curl_multi_remove_handle(multi, transfer.handle)
                    transfer.finish(.failure(HTTPTransportError(kind: .other, message: "the HTTP transport was shut down", code: -1)))
                }
                break
            }

            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let result = message.pointee.data.result
                guard let transfer = active.removeValue(forKey: easy) else { continue }
                curl_multi_remove_handle(multi, easy)
                transfer.complete(with: result)
            }
            let activeCount = active.count
            inbox.withLock { $0.active = activeCount }
            // Sleeps until a socket is ready, curl's next timeout, or a wakeup from submit/cancel/shutdown.
            var ready: Int32 = 0
            curl_multi_poll(multi, nil, 0, 1000, &ready)
        }
        curl_multi_cleanup(multi)
    }
}
