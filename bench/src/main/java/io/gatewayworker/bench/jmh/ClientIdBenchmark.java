package io.gatewayworker.bench.jmh;

import io.gatewayworker.host.link.ClientId;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The client id codec: {@link ClientId#format} runs for every new client and every id handed to an
 * app; {@link ClientId#parse} for every {@code sendToClient} and every other call that names a client.
 * JMH runs it on its own threads; the state is per thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class ClientIdBenchmark {

    private final int ip = 0x7F000001;
    private final int port = 2300;
    private int connection = 0x1234_5678;
    private final String text = ClientId.format(0x7F000001, 2300, 0x0ABC_DEF0);

    @Benchmark
    public String format() {
        return ClientId.format(ip, port, connection++);
    }

    @Benchmark
    public ClientId parse() {
        return ClientId.parse(text);
    }
}
