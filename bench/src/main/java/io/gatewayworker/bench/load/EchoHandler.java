package io.gatewayworker.bench.load;

import io.gatewayworker.bench.Messages;
import io.netty.buffer.ByteBuf;

/**
 * One client of the {@code echo} and {@code reload} scenarios: a closed loop with one request in flight.
 * It sends {@code echo:<time>:<seq>}, waits for that exact message back, records the round trip, and
 * sends the next while the load runs. A request unanswered after the reply timeout counts as a timeout
 * and the loop goes on; should its answer come later it counts as late (so lost = timeouts - late +
 * what is still unanswered when the load stops).
 *
 * <p>Runs on the connection's event loop.
 */
final class EchoHandler extends LoadHandler {

    private int seq;
    private long sentAt;
    private boolean outstanding;

    EchoHandler(LoadContext load) {
        super(load);
    }

    /** Sends the next request (flushed with the read batch, or by the caller). */
    void sendNext() {
        seq++;
        sentAt = Window.now();
        outstanding = true;
        send(Messages.ECHO, sentAt, seq);
    }

    /** Starts the loop: sends the first request now. */
    void begin() {
        if (!outstanding && isOpen()) {
            sendNext();
            flushNow();
        }
    }

    @Override
    protected void onText(ByteBuf content, long now) {
        long s = Messages.isEcho(content) ? Messages.seq(content, Messages.ECHO.length()) : -1;
        long expected = seq & 0xFFFFFFFFL;
        if (!outstanding || s != expected) {
            if (s >= 0 && s < expected) {
                stats.late++;
            } else {
                stats.mismatched++;
            }
            return;
        }
        outstanding = false;
        if (load.window().counts(sentAt, now)) {
            stats.ops++;
            if (load.window().marked()) {
                stats.markedOps++;
                record(stats.marked, now - sentAt);
            } else {
                record(stats.latency, now - sentAt);
            }
        }
        if (load.running()) {
            sendNext();
        }
    }

    @Override
    protected void checkTimeout(long now) {
        if (outstanding && now - sentAt > load.replyTimeoutNanos()) {
            stats.timeouts++;
            outstanding = false;
            if (load.running()) {
                sendNext();
                flushNow();
            }
        }
    }

    @Override
    boolean outstanding() {
        return outstanding;
    }
}
