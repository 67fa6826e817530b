import Foundation

/// The states of a `stripe_event_queue` entry.
public enum EventQueueStatus: String, Sendable, CaseIterable {
    /// Stored, not tried yet.
    case pending
    /// Tried and failed; tried again from `next_retry_at`.
    case failed
    /// Processed.
    case done
    /// Failed too often: a dead letter a person must look at.
    case dead
}

/// One row of `stripe_event_queue`.
public struct EventQueueEntry: Sendable, Equatable {
    public var eventID: String
    public var status: EventQueueStatus
    /// Failed attempts so far.
    public var retryCount: Int
    /// When a failed entry is due again; nil otherwise.
    public var nextRetryAt: Date?
    /// The last failure, for a person; never a secret.
    public var lastError: String?

    public init(eventID: String, status: EventQueueStatus, retryCount: Int = 0, nextRetryAt: Date? = nil, lastError: String? = nil) {
        self.eventID = eventID
        self.status = status
        self.retryCount = retryCount
        self.nextRetryAt = nextRetryAt
        self.lastError = lastError
    }
}

/// A queue entry that is due, with its event.
public struct DueStripeEvent: Sendable, Equatable {
    public var event: StripeEventRecord
    public var entry: EventQueueEntry
    /// Where this entry sits in processing order (oldest event first).
    public var cursor: Cursor

    /// A position in processing order: the event's `created`, then its row id (the order it was stored).
    public struct Cursor: Sendable, Equatable {
        public var created: Date
        public var rowID: Int64

        public init(created: Date, rowID: Int64) {
            self.created = created
            self.rowID = rowID
        }
    }

    public init(event: StripeEventRecord, entry: EventQueueEntry, cursor: Cursor) {
        self.event = event
        self.entry = entry
        self.cursor = cursor
    }
}

/// What a failed attempt leaves on its queue entry.
public struct EventQueueFailure: Sendable, Equatable {
    /// `failed`, or `dead` once the attempts are used up.
    public var status: EventQueueStatus
    public var retryCount: Int
    public var nextRetryAt: Date?
    public var lastError: String

    public init(status: EventQueueStatus, retryCount: Int, nextRetryAt: Date?, lastError: String) {
        self.status = status
        self.retryCount = retryCount
        self.nextRetryAt = nextRetryAt
        self.lastError = lastError
    }
}
