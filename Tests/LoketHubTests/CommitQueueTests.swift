import Synchronization
import Testing

@testable import LoketHub

/// The queue between the hub's actor and its committer, and the lane the actor serialises stores under.
@Suite("Commit queue and lane")
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
