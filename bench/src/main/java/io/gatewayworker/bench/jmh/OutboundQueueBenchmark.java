package io.gatewayworker.bench.jmh;

import io.gatewayworker.host.link.OutboundQueue;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link OutboundQueue}, the batching hand-off from worker threads to a link's event loop: the cost per
 * message of {@code add} plus the loop task that writes the batch and flushes once, for a batch of one
 * (every message pays a task) and of 64. It runs on an {@link EmbeddedChannel}, whose event loop is the
 * benchmark thread itself, so it measures the queue's own work, not a thread wake-up.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class OutboundQueueBenchmark {

    private static final Object MESSAGE = "message";

    private EmbeddedChannel channel;
    private OutboundQueue queue;

    @Setup
    public void setup() {
        channel = new EmbeddedChannel();
        queue = new OutboundQueue(channel, 1 << 20);
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public int single() {
        queue.add(MESSAGE);
        channel.runPendingTasks();
        int n = channel.outboundMessages().size();
        channel.outboundMessages().clear();
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(64)
    public int batchOf64() {
        for (int i = 0; i < 64; i++) {
            queue.add(MESSAGE);
        }
        channel.runPendingTasks();
        int n = channel.outboundMessages().size();
        channel.outboundMessages().clear();
        return n;
    }
}
