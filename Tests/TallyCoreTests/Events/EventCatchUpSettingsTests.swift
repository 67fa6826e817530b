import Foundation
import Testing
import TallyCore

@Suite("Where tally-events resumes, and how it backs off")
struct EventCatchUpSettingsTests {
    let now = Date(timeIntervalSince1970: 1_767_225_600)
    let settings = EventCatchUpSettings()

    @Test("resumes five minutes before the newest stored event")
    func resumesWithOverlap() {
        let newest = now.addingTimeInterval(-3_600)
        #expect(settings.resumePoint(newestStored: newest, since: nil, now: now) == newest.addingTimeInterval(-300))
    }

    @Test("looks three days back when nothing is stored yet")
    func firstRun() {
        #expect(settings.resumePoint(newestStored: nil, since: nil, now: now) == now.addingTimeInterval(-3 * 86_400))
    }

    @Test("--since beats the stored events, but never reaches past Stripe's 30 days")
    func sinceAndRetention() {
        let newest = now.addingTimeInterval(-60)
        let since = now.addingTimeInterval(-10 * 86_400)
        #expect(settings.resumePoint(newestStored: newest, since: since, now: now) == since)
        #expect(settings.resumePoint(newestStored: newest, since: now.addingTimeInterval(-90 * 86_400), now: now)
            == now.addingTimeInterval(-30 * 86_400))
        #expect(settings.resumePoint(newestStored: now.addingTimeInterval(-45 * 86_400), since: nil, now: now)
            == now.addingTimeInterval(-30 * 86_400))
    }

    @Test("a failure waits 2^failures minutes, at most six hours, and the fifth is a dead letter")
    func backoff() {
        let policy = EventRetryPolicy()
        let waits = (0..<4).map { previous in
            policy.afterFailure(previousFailures: previous, error: "broken", now: now).nextRetryAt?.timeIntervalSince(now)
        }
        #expect(waits == [120, 240, 480, 960])
        #expect(policy.afterFailure(previousFailures: 3, error: "broken", now: now)
            == EventQueueFailure(status: .failed, retryCount: 4, nextRetryAt: now.addingTimeInterval(960), lastError: "broken"))
        #expect(policy.afterFailure(previousFailures: 4, error: "broken", now: now)
            == EventQueueFailure(status: .dead, retryCount: 5, nextRetryAt: nil, lastError: "broken"))
        let patient = EventRetryPolicy(maxFailures: 20)
        #expect(patient.afterFailure(previousFailures: 12, error: "broken", now: now).nextRetryAt == now.addingTimeInterval(6 * 3_600))
    }
}
