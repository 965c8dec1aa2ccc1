package io.gatewayworker.bench.jmh;

import io.gatewayworker.host.link.SessionCodec;
import io.gatewayworker.proto.link.v1.Session;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Session encoding: {@link SessionCodec#encode} when a callback changed its client's session (the
 * write-back), {@link SessionCodec#decode} when a worker builds the session an app sees. A typical small
 * session of a chat user: a uid, a room, a counter, a flag and a short list. Per-thread state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class SessionCodecBenchmark {

    private Map<String, Object> values;
    private Session session;
    private byte[] bytes;

    @Setup
    public void setup() {
        values = new LinkedHashMap<>();
        values.put("uid", "user-4242");
        values.put("room", "lobby");
        values.put("messages", 17);
        values.put("admin", false);
        values.put("tags", List.of("new", "mobile"));
        session = SessionCodec.encode(values);
        bytes = session.toByteArray();
    }

    @Benchmark
    public Session encode() {
        return SessionCodec.encode(values);
    }

    @Benchmark
    public Map<String, Object> decode() {
        return SessionCodec.decode(session);
    }

    /** Encode and serialise, as on a TCP link. */
    @Benchmark
    public byte[] encodeToBytes() {
        return SessionCodec.encode(values).toByteArray();
    }

    /** Parse and decode, as on a TCP link. */
    @Benchmark
    public Map<String, Object> decodeFromBytes() throws com.google.protobuf.InvalidProtocolBufferException {
        return SessionCodec.decode(Session.parseFrom(bytes));
    }
}
