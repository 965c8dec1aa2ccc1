package io.gatewayworker.bench.ceiling;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The ceiling's client list and its broadcast, done the efficient way: each event loop keeps the list of
 * its own channels (no lock, no shared set); a broadcast is encoded to wire bytes once, and each event
 * loop gets one task that writes a retained duplicate to each of its channels and flushes each channel
 * once. The broadcasts that arrive in one read batch travel together: one task per loop for all of
 * them, one flush per channel. A channel more than its write-buffer high-water mark behind (1 MiB, as the host's per-client
 * bound) is closed rather than buffered without limit.
 *
 * <p>Thread-safety: {@link #add} and {@link #remove} run on the channel's own event loop; the per-loop
 * lists are touched only by their loop. {@link #broadcast} may be called from any thread.
 */
final class Broadcaster {

    private static final AttributeKey<Integer> INDEX = AttributeKey.valueOf(Broadcaster.class, "index");

    private final Map<EventExecutor, LoopChannels> byLoop = new IdentityHashMap<>();
    private final LoopChannels[] loops;
    private final LongAdder droppedSlow = new LongAdder();

    Broadcaster(EventLoopGroup group) {
        List<LoopChannels> all = new ArrayList<>();
        for (EventExecutor executor : group) {
            LoopChannels lc = new LoopChannels((EventLoop) executor);
            byLoop.put(executor, lc);
            all.add(lc);
        }
        loops = all.toArray(new LoopChannels[0]);
    }

    /** Adds a channel whose handshake completed. On the channel's event loop. */
    void add(Channel channel) {
        LoopChannels lc = byLoop.get(channel.eventLoop());
        lc.add(channel);
        channel.closeFuture().addListener(f -> lc.remove(channel));
    }

    /** Connected clients (approximate while clients come and go). */
    int size() {
        int n = 0;
        for (LoopChannels lc : loops) {
            n += lc.size;
        }
        return n;
    }

    /** Clients closed because they fell more than the high-water mark behind. */
    long droppedSlow() {
        return droppedSlow.sum();
    }

    /**
     * Sends the already encoded frames {@code wires} (the broadcasts of one read batch, in order) to
     * every client; takes over one reference to each. The loop the caller runs on (if any) is served
     * inline; every other loop gets one task. Each channel is flushed once for all of them.
     */
    void broadcast(List<ByteBuf> wires, EventLoop current) {
        try {
            for (LoopChannels lc : loops) {
                if (lc.size == 0) {
                    continue;
                }
                if (lc.loop == current) {
                    lc.writeAll(wires);
                } else {
                    List<ByteBuf> mine = new ArrayList<>(wires.size());
                    for (ByteBuf wire : wires) {
                        mine.add(wire.retain());
                    }
                    lc.loop.execute(() -> {
                        try {
                            lc.writeAll(mine);
                        } finally {
                            mine.forEach(ByteBuf::release);
                        }
                    });
                }
            }
        } finally {
            wires.forEach(ByteBuf::release);
        }
    }

    /** The channels of one event loop. Confined to that loop, except {@code size}, read for statistics. */
    private final class LoopChannels {
        final EventLoop loop;
        private Channel[] channels = new Channel[64];
        volatile int size;

        LoopChannels(EventLoop loop) {
            this.loop = loop;
        }

        void add(Channel channel) {
            int n = size;
            if (n == channels.length) {
                Channel[] bigger = new Channel[n * 2];
                System.arraycopy(channels, 0, bigger, 0, n);
                channels = bigger;
            }
            channels[n] = channel;
            channel.attr(INDEX).set(n);
            size = n + 1;
        }

        void remove(Channel channel) {
            Integer index = channel.attr(INDEX).getAndSet(null);
            if (index == null) {
                return;
            }
            int last = size - 1;
            Channel moved = channels[last];
            channels[index] = moved;
            moved.attr(INDEX).set(index);
            channels[last] = null;
            size = last;
        }

        void writeAll(List<ByteBuf> wires) {
            Channel[] snapshot = channels;
            int n = size;
            int last = wires.size() - 1;
            List<Channel> slow = null;
            for (int i = 0; i < n; i++) {
                Channel ch = snapshot[i];
                if (!ch.isWritable()) {
                    if (slow == null) {
                        slow = new ArrayList<>();
                    }
                    slow.add(ch);
                    continue;
                }
                for (int w = 0; w < last; w++) {
                    ch.write(wires.get(w).retainedDuplicate(), ch.voidPromise());
                }
                ch.writeAndFlush(wires.get(last).retainedDuplicate(), ch.voidPromise());
            }
            if (slow != null) {
                // Closed after the loop: closing removes the channel from this list.
                droppedSlow.add(slow.size());
                slow.forEach(Channel::close);
            }
        }
    }
}
