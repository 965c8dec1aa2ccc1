package io.gatewayworker.host.link;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Notices work that waits although nothing holds it back: a queue with messages, permission to send
 * and no progress; a client paused for a reason that is gone. On a busy machine such work still moves,
 * slowly; when it does not move at all for {@code timeout}, a wake-up was missed, and that is a bug to
 * report, not a load to wait out.
 *
 * <p>A caller observes its suspects once per tick: {@link #observe} with whether the thing looks stuck
 * now and a counter that grows whenever it makes progress. A suspect is reported once, the first tick
 * its condition has held for {@code timeout} with the same progress; it may be reported again after
 * it recovered. {@link #endTick()} forgets what was not observed as stuck in the tick.
 *
 * <p>Confined to the thread that ticks it.
 *
 * @param <K> what is watched (a link, a client); compared by identity
 */
public final class StallWatch<K> {

    private static final class Suspect {
        long since;
        long progress;
        boolean reported;
        long tick;
    }

    private final long timeoutNanos;
    private final Map<K, Suspect> suspects = new HashMap<>();
    private long tick;

    /** @param timeout how long a suspect may stay stuck before {@link #observe} reports it */
    public StallWatch(java.time.Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
        this.timeoutNanos = timeout.toNanos();
    }

    /**
     * Observes {@code key} at {@code nowNanos}.
     *
     * @param stuck whether it has work and nothing that should hold it back
     * @param progress a counter that changes whenever it makes progress
     * @return true exactly once per episode: when it has been stuck with the same progress for the
     *         timeout
     */
    public boolean observe(K key, boolean stuck, long progress, long nowNanos) {
        if (!stuck) {
            suspects.remove(key);
            return false;
        }
        Suspect s = suspects.get(key);
        if (s == null || s.progress != progress) {
            if (s == null) {
                s = new Suspect();
                suspects.put(key, s);
            }
            s.since = nowNanos;
            s.progress = progress;
            s.reported = false;
        }
        s.tick = tick;
        if (!s.reported && nowNanos - s.since >= timeoutNanos) {
            s.reported = true;
            return true;
        }
        return false;
    }

    /** How long {@code key} has been stuck, in milliseconds (0 when it is not a suspect). */
    public long stuckMillis(K key, long nowNanos) {
        Suspect s = suspects.get(key);
        return s == null ? 0 : TimeUnit.NANOSECONDS.toMillis(nowNanos - s.since);
    }

    /** Ends a tick: suspects not observed in it are forgotten (gone, or no longer tracked). */
    public void endTick() {
        for (Iterator<Suspect> it = suspects.values().iterator(); it.hasNext();) {
            if (it.next().tick != tick) {
                it.remove();
            }
        }
        tick++;
    }

    /** Suspects now (for tests and diagnostics). */
    public int suspects() {
        return suspects.size();
    }
}
