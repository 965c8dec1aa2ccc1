package io.gatewayworker.bench.load;

import io.gatewayworker.bench.Messages;
import io.netty.buffer.ByteBuf;

/**
 * One client of the {@code echo} and {@code reload} scenarios: a closed loop with one request in flight.
 * It sends {@code echo:<time>:<seq>}, waits for that exact message back, records the round trip, and
 * sends the next while the load runs. A request unanswered after the reply timeout counts as a timeout
 * and the loop goes on; should its answer come later it counts as late, and its round trip is recorded
 * all the same (so lost = timeouts - late + what is still unanswered when the load stops). An answer
 * to a request already answered counts as a duplicate.
 *
 * <p>Round trips that finish while a reload mark is on are corrected for coordinated omission: a stall
 * of a closed loop delays one request but stops the client from sending the ones it would have sent, so
 * each marked round trip is recorded with HdrHistogram's expected-interval correction, the interval
 * being this client's mean round trip outside the marks. A pause of the server then weighs in the
 * percentiles as much as it would for clients that keep sending.
 *
 * <p>Runs on the connection's event loop.
 */
final class EchoHandler extends LoadHandler {

    private int seq;
    private long sentAt;
    private boolean outstanding;
    /** Moving mean of the unmarked round trips (nanoseconds), 0 until the first. */
    private long meanNanos;
    /** Sequence numbers that timed out and were not answered yet; made on the first timeout. */
    private java.util.Set<Long> timedOut;

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
            if (s >= 0 && timedOut != null && timedOut.remove(s)) {
                stats.late++;
                long sent = Messages.sendNanos(content, Messages.ECHO.length());
                if (load.window().counts(sent, now)) {
                    recordRoundTrip(now - sent);
                }
            } else if (s >= 0 && s < expected) {
                stats.duplicates++;
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
            }
            recordRoundTrip(now - sentAt);
        }
        if (load.running()) {
            sendNext();
        }
    }

    private void recordRoundTrip(long nanos) {
        if (load.window().marked()) {
            long capped = Math.max(0, Math.min(nanos, stats.marked.getHighestTrackableValue()));
            stats.marked.recordValueWithExpectedInterval(capped, meanNanos);
        } else {
            record(stats.latency, nanos);
            meanNanos = meanNanos == 0 ? nanos : meanNanos + (nanos - meanNanos) / 16;
        }
    }

    @Override
    protected void checkTimeout(long now) {
        if (outstanding && now - sentAt > load.replyTimeoutNanos()) {
            stats.timeouts++;
            if (timedOut == null) {
                timedOut = new java.util.HashSet<>();
            }
            timedOut.add(seq & 0xFFFFFFFFL);
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
