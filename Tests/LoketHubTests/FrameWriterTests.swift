import NIOCore
import NIOEmbedded
import NIOWebSocket
import Synchronization
import Testing

@testable import LoketHub

/// Counts flushes reaching the head of the pipeline, so a test can see how many `writev`s the frames cost.
private final class FlushCounter: ChannelOutboundHandler, Sendable {
    typealias OutboundIn = WebSocketFrame
    private let count = Mutex(0)
    var flushes: Int { count.withLock { $0 } }

    func flush(context: ChannelHandlerContext) {
        count.withLock { $0 += 1 }
        context.flush()
    }
}

@Suite("Frame writer")
struct FrameWriterTests {
    private static func texts(_ channel: EmbeddedChannel) throws -> [String] {
        var texts: [String] = []
        while let frame = try channel.readOutbound(as: WebSocketFrame.self) {
            #expect(frame.opcode == .text && frame.fin)
            var data = frame.unmaskedData
            texts.append(data.readString(length: data.readableBytes) ?? "")
        }
        return texts
    }

    @Test func framesQueuedBeforeTheLoopRunsGoOutInOrderWithOneFlush() throws {
        let counter = FlushCounter()
        let channel = EmbeddedChannel(handler: counter)
        let writer = FrameWriter(channel: channel)
        for number in 0..<50 { writer.write("{\"n\":\(number)}") }
        #expect(try Self.texts(channel).isEmpty, "nothing is written off the event loop")
        channel.embeddedEventLoop.run()
        #expect(try Self.texts(channel) == (0..<50).map { "{\"n\":\($0)}" })
        #expect(counter.flushes == 1)

        writer.write("later")
        channel.embeddedEventLoop.run()
        #expect(try Self.texts(channel) == ["later"], "a frame after the flush schedules its own")
        #expect(counter.flushes == 2)
    }

    @Test func finishingWritesWhatIsQueuedThenDropsLaterFrames() async throws {
        let channel = EmbeddedChannel()
        let writer = FrameWriter(channel: channel)
        writer.write("first")
        writer.write("second")
        writer.finish()
        writer.write("too late")
        writer.finish()
        channel.embeddedEventLoop.run()
        await writer.waitUntilFinished()
        #expect(try Self.texts(channel) == ["first", "second"])
    }

    @Test func waitingBeforeTheFinishReturnsOnceItIsWritten() async throws {
        let channel = EmbeddedChannel()
        let writer = FrameWriter(channel: channel)
        let finished = Mutex(false)
        let waiting = Task {
            await writer.waitUntilFinished()
            finished.withLock { $0 = true }
        }
        writer.write("last")
        writer.finish()
        for _ in 0..<100 { await Task.yield() }
        #expect(finished.withLock { $0 } == false, "not before the event loop wrote it")
        channel.embeddedEventLoop.run()
        await waiting.value
        #expect(try Self.texts(channel) == ["last"])
    }
}
