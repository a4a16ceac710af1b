import Synchronization
import Testing

@testable import LoketHub

/// The hand-off queues (the hub's actor to its committer, citizen connections to the actor) and the lane the actor
/// serialises stores under.
@Suite("Commit queue, citizen inbox and lane")
struct CommitQueueTests {
    @Test func oneCommitterAtATimeTakesBatchesInOrderAndStopsWhenEmpty() {
        let queue = HandOffQueue<Int>()
        #expect(queue.add(1).startConsumer, "the first write starts a committer")
        #expect(!queue.add(2).startConsumer, "one is running")
        #expect(!queue.add(3).startConsumer)
        #expect(queue.take(maximum: 2).map { [$0.number] + $0.items } == [0, 1, 2])
        #expect(!queue.add(4).startConsumer, "still running: it has not found the queue empty")
        #expect(queue.take(maximum: 2).map { [$0.number] + $0.items } == [1, 3, 4])
        #expect(queue.take(maximum: 2) == nil, "empty: the committer stops")
        #expect(queue.add(5).startConsumer, "the next write starts a new committer")
        #expect(queue.take(maximum: 2).map { [$0.number] + $0.items } == [2, 5], "batch numbers go on counting")
    }

    @Test func theInboxKeepsOrderStartsOneDrainerAndTellsWhenItIsFull() {
        let inbox = HandOffQueue<Int>(capacity: 3)
        #expect(inbox.add(1) == (true, false), "the first frame starts a drainer")
        #expect(inbox.add(2) == (false, false))
        #expect(inbox.add(3) == (false, true), "at capacity: the sender waits for room")
        #expect(inbox.take()?.items == [1, 2, 3])
        #expect(inbox.add(4) == (false, false), "the drainer runs until it finds the inbox empty")
        #expect(inbox.take()?.items == [4])
        #expect(inbox.take() == nil, "empty: the drainer stops")
        #expect(inbox.add(5) == (true, false), "the next frame starts a new one")
    }

    /// A sender waiting for room goes on once the drainer takes what is waiting, not before.
    @Test func aSenderWaitingForRoomGoesOnWhenTheDrainerTakesTheFrames() async {
        let inbox = HandOffQueue<Int>(capacity: 2)
        _ = inbox.add(1)
        _ = inbox.add(2)
        let resumed = Mutex(false)
        let waiting = Task {
            await inbox.waitForRoom()
            resumed.withLock { $0 = true }
        }
        for _ in 0..<100 { await Task.yield() }
        #expect(resumed.withLock { $0 } == false, "still full")
        #expect(inbox.take()?.items == [1, 2])
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
