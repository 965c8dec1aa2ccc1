package io.gatewayworker.host.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OutboundQueueTest {

    /** Counts flushes that reach the channel. */
    static final class FlushCounter extends ChannelOutboundHandlerAdapter {
        int flushes;

        @Override
        public void flush(ChannelHandlerContext ctx) {
            flushes++;
            ctx.flush();
        }
    }

    @Test
    void writesABatchInOrderWithOneFlush() {
        FlushCounter counter = new FlushCounter();
        EmbeddedChannel ch = new EmbeddedChannel(counter);
        OutboundQueue queue = new OutboundQueue(ch, 100);
        for (int i = 0; i < 10; i++) {
            queue.add("m" + i);
        }
        assertNull(ch.readOutbound(), "nothing is written before the loop runs the batch");
        ch.runPendingTasks();
        for (int i = 0; i < 10; i++) {
            assertEquals("m" + i, ch.readOutbound());
        }
        assertEquals(1, counter.flushes);
        assertEquals(0, queue.size());
        assertFalse(ch.finish());
    }

    @Test
    void messagesOfEachThreadKeepTheirOrder() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel();
        OutboundQueue queue = new OutboundQueue(ch, 1_000_000);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            int thread = t;
            threads.execute(() -> {
                for (int i = 0; i < 5_000; i++) {
                    queue.add(thread + ":" + i);
                }
            });
        }
        threads.shutdown();
        assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
        ch.runPendingTasks();
        int[] next = new int[4];
        int total = 0;
        Object m;
        while ((m = ch.readOutbound()) != null) {
            String[] parts = ((String) m).split(":");
            int thread = Integer.parseInt(parts[0]);
            assertEquals(next[thread]++, Integer.parseInt(parts[1]), "order of thread " + thread);
            total++;
        }
        assertEquals(20_000, total);
    }

    @Test
    void releasesWhatAClosedQueueRefuses() {
        EmbeddedChannel ch = new EmbeddedChannel();
        OutboundQueue queue = new OutboundQueue(ch, 10);
        ByteBuf queued = Unpooled.buffer(4).writeInt(1);
        queue.add(queued);
        queue.close();
        assertEquals(0, queued.refCnt(), "queued message released on close");
        ByteBuf late = Unpooled.buffer(4).writeInt(2);
        assertFalse(queue.add(late));
        assertEquals(0, late.refCnt());
        ch.runPendingTasks();
        assertFalse(ch.finish());
    }

    @Test
    void controlMessagesPassAHoldAndGoFirst() {
        EmbeddedChannel ch = new EmbeddedChannel();
        OutboundQueue queue = new OutboundQueue(ch, 100);
        queue.hold(true);
        queue.add("command");
        queue.addControl("credit");
        ch.runPendingTasks();
        assertEquals("credit", ch.readOutbound());
        assertNull(ch.readOutbound(), "the command waits while held");
        assertEquals(1, queue.written());
        queue.hold(false);
        ch.runPendingTasks();
        assertEquals("command", ch.readOutbound());
        assertEquals(2, queue.written());
        assertFalse(ch.finish());
    }

    @Test
    void lanesTakeTurnsSoThatABacklogDoesNotHoldUpAnotherLane() {
        EmbeddedChannel ch = new EmbeddedChannel();
        OutboundQueue queue = new OutboundQueue(ch, 100_000);
        for (int i = 0; i < 1000; i++) {
            queue.add("flood" + i, "a");
        }
        queue.add("answer", "b");
        int position = 0;
        Object m;
        while (true) {
            ch.runPendingTasks();
            m = ch.readOutbound();
            if (m == null || m.equals("answer")) {
                break;
            }
            assertEquals("flood" + position, m, "one lane's messages in order");
            position++;
        }
        assertEquals("answer", m);
        assertTrue(position <= OutboundQueue.TURN, "the other lane went after at most one turn: " + position);
        int rest = 0;
        while (true) {
            ch.runPendingTasks();
            if ((m = ch.readOutbound()) == null) {
                break;
            }
            assertEquals("flood" + (position + rest), m);
            rest++;
        }
        assertEquals(1000, position + rest);
        assertFalse(ch.finish());
    }

    @Test
    void aHeldLaneWaitsWhileTheOthersGoOn() {
        EmbeddedChannel ch = new EmbeddedChannel();
        OutboundQueue queue = new OutboundQueue(ch, 100);
        queue.hold("a", true);
        queue.add("a1", "a");
        queue.add("b1", "b");
        ch.runPendingTasks();
        assertEquals("b1", ch.readOutbound());
        assertNull(ch.readOutbound(), "lane a is held");
        assertEquals(1, queue.size());
        assertEquals(0, queue.writableSize(), "nothing that may go now: not a stall");
        queue.hold("a", false);
        ch.runPendingTasks();
        assertEquals("a1", ch.readOutbound());
        assertFalse(ch.finish());
    }

    @Test
    void aFullLaneMakesOnlyItsOwnSendersWait() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel();
        OutboundQueue queue = new OutboundQueue(ch, 4);
        queue.hold(true);
        for (int i = 0; i < 10; i++) {
            queue.add(i, "busy");
        }
        assertFalse(queue.awaitCapacity("busy", 20), "its lane is over the mark");
        assertTrue(queue.awaitCapacity("quiet", 20), "another lane has room");
        queue.hold(false);
        ch.runPendingTasks();
        assertTrue(queue.awaitCapacity("busy", 20));
        ch.finishAndReleaseAll();
    }

    @Test
    void awaitCapacityReturnsOnceDrained() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel();
        OutboundQueue queue = new OutboundQueue(ch, 4);
        for (int i = 0; i < 10; i++) {
            queue.add(i);
        }
        assertFalse(queue.awaitCapacity(20), "over the high-water mark: the wait times out");
        ch.runPendingTasks();
        assertTrue(queue.awaitCapacity(20));
        List<Object> out = new ArrayList<>();
        Object m;
        while ((m = ch.readOutbound()) != null) {
            out.add(m);
        }
        assertEquals(10, out.size());
    }
}
