package io.gatewayworker.bench.load;

import io.gatewayworker.bench.Messages;
import io.netty.buffer.ByteBuf;

/**
 * One receiver of the {@code broadcast} scenario (the sender is a receiver too). For each
 * {@code all:<time>:<seq>} it records the delivery latency (now minus the send time in the message, on
 * the same clock: sender and receivers share the process), checks that sequence numbers arrive in order
 * with no gap, and tells the {@link BroadcastState} that one more receiver has it.
 *
 * <p>Runs on the connection's event loop; {@link #broadcast} runs on the sender's loop.
 */
final class BroadcastHandler extends LoadHandler {

    private long lastSeq = -1;

    BroadcastHandler(LoadContext load) {
        super(load);
    }

    @Override
    protected void onText(ByteBuf content, long now) {
        if (!Messages.isAll(content)) {
            stats.mismatched++;
            return;
        }
        int prefix = Messages.ALL.length();
        long seq = Messages.seq(content, prefix);
        long sentAt = Messages.sendNanos(content, prefix);
        if (seq < 0 || sentAt < 0) {
            stats.mismatched++;
            return;
        }
        if (seq != lastSeq + 1) {
            if (seq <= lastSeq) {
                stats.duplicates++;
            } else {
                stats.gaps += seq - lastSeq - 1;
            }
        }
        lastSeq = Math.max(lastSeq, seq);
        boolean counts = load.window().counts(sentAt, now);
        if (counts) {
            stats.ops++;
            if (load.window().marked()) {
                stats.markedOps++;
                record(stats.marked, now - sentAt);
            } else {
                record(stats.latency, now - sentAt);
            }
        }
        load.broadcast().delivered(seq, sentAt, now, stats, counts);
    }

    /** Sender only: writes broadcast {@code seq}, sent at {@code now}. */
    void broadcast(long now, long seq) {
        send(Messages.ALL, now, (int) seq);
    }

    /** Sender only: flushes what {@link #broadcast} wrote. */
    void flushBroadcasts() {
        flushNow();
    }

    LoopStats loopStats() {
        return stats;
    }
}
