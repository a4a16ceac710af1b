import Synchronization
import Testing

@testable import LoketHub

/// The queue between the hub's actor and its committer, the inbox between connections and the actor, and the lane
/// the actor serialises stores under.
@Suite("Commit queue, citizen inbox and lane")
struct CommitQueueTests {
    @Test func oneCommitterAtATimeTakesBatchesInOrderAndStopsWhenEmpty() {
        let queue = CommitQueue<Int>()
        #expect(queue.add(1), "the first write starts a committer")
        #expect(!queue.add(2), "one is running")
        #expect(!queue.add(3))
        #expect(queue.nextBatch(maximum: 2).map { [$0.number] + $0.writes } == [0, 1, 2])
        #expect(!queue.add(4), "still running: it has not found the queue empty")
        #expect(queue.nextBatch(maximum: 2).map { [$0.number] + $0.writes } == [1, 3, 4])
        #expect(queue.nextBatch(maximum: 2) == nil, "empty: the committer stops")
        #expect(queue.add(5), "the next write starts a new committer")
        #expect(queue.nextBatch(maximum: 2).map { [$0.number] + $0.writes } == [2, 5], "batch numbers go on counting")
    }

    @Test func theInboxKeepsOrderStartsOneDrainerAndTellsWhenItIsFull() {
        let inbox = FrameInbox<Int>(capacity: 3)
        #expect(inbox.add(1) == (true, false), "the first frame starts a drainer")
        #expect(inbox.add(2) == (false, false))
        #expect(inbox.add(3) == (false, true), "at capacity: the sender waits for room")
        #expect(inbox.takeAll() == [1, 2, 3])
        #expect(inbox.add(4) == (false, false), "the drainer runs until it finds the inbox empty")
        #expect(inbox.takeAll() == [4])
        #expect(inbox.takeAll() == nil, "empty: the drainer stops")
        #expect(inbox.add(5) == (true, false), "the next frame starts a new one")
    }

    /// A sender waiting for room goes on once the drainer takes what is waiting, not before.
    @Test func aSenderWaitingForRoomGoesOnWhenTheDrainerTakesTheFrames() async {
        let inbox = FrameInbox<Int>(capacity: 2)
        _ = inbox.add(1)
        _ = inbox.add(2)
        let resumed = Mutex(false)
        let waiting = Task {
            await inbox.waitForRoom()
            resumed.withLock { $0 = true }
        }
        for _ in 0..<100 { await Task.yield() }
        #expect(resumed.withLock { $0 } == false, "still full")
        #expect(inbox.takeAll() == [1, 2])
        await waiting.value
        #expect(resumed.withLock { $0 })
        await inbox.waitForRoom()
    }

    /// Holders that suspend under the lane still exclude each other, and every waiter gets its turn.
    @Test func theLaneExcludesAcrossSuspensionsAndServesEveryWaiter() async {
        actor Counter {
            let lane = SerialLane()
            var inside = 0
            var most = 0
            var done = 0

            func work() async {
                await lane.acquire()
                defer { lane.release() }
                inside += 1
                most = max(most, inside)
                await Task.yield()
                try? await Task.sleep(for: .microseconds(50))
                inside -= 1
                done += 1
            }
        }
        let counter = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<200 { group.addTask { await counter.work() } }
        }
        #expect(await counter.most == 1)
        #expect(await counter.done == 200)
    }
}
