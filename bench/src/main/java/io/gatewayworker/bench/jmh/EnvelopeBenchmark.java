package io.gatewayworker.bench.jmh;

import com.google.protobuf.InvalidProtocolBufferException;
import io.gatewayworker.proto.link.v1.Body;
import io.gatewayworker.proto.link.v1.Broadcast;
import io.gatewayworker.proto.link.v1.ClientEvent;
import io.gatewayworker.proto.link.v1.Command;
import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.Send;
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
 * The internal messages of one echo round trip: the gateway's {@code ClientEvent} (MESSAGE, a 32-byte
 * text) to the worker, and the worker's {@code Command} back ({@code Send} to one connection, or a
 * {@code Broadcast}). {@code build*} is what the in-JVM transport pays (it passes the objects);
 * {@code encode*} and {@code decode*} what a TCP link adds. Per-thread state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class EnvelopeBenchmark {

    private static final String TEXT = "echo:0000001234567890:00000042xx";

    private int connection = 42;
    private Envelope event;
    private Envelope send;
    private Envelope broadcast;
    private byte[] eventBytes;
    private byte[] sendBytes;
    private byte[] broadcastBytes;

    @Setup
    public void setup() {
        event = buildEvent();
        send = buildSend();
        broadcast = Envelope.newBuilder().setCommand(Command.newBuilder().setApp("bench")
                .setBroadcast(Broadcast.newBuilder().setBody(Body.newBuilder().setText(TEXT)))).build();
        eventBytes = event.toByteArray();
        sendBytes = send.toByteArray();
        broadcastBytes = broadcast.toByteArray();
    }

    @Benchmark
    public Envelope buildEvent() {
        return Envelope.newBuilder().setEvent(ClientEvent.newBuilder()
                .setConnection(connection++).setType(ClientEvent.Type.MESSAGE).setText(TEXT).setSessionVersion(3)).build();
    }

    @Benchmark
    public Envelope buildSend() {
        return Envelope.newBuilder().setCommand(Command.newBuilder().setApp("bench")
                .setSend(Send.newBuilder().addConnections(connection++).setBody(Body.newBuilder().setText(TEXT)))).build();
    }

    @Benchmark
    public byte[] encodeEvent() {
        return event.toByteArray();
    }

    @Benchmark
    public Envelope decodeEvent() throws InvalidProtocolBufferException {
        return Envelope.parseFrom(eventBytes);
    }

    @Benchmark
    public byte[] encodeSend() {
        return send.toByteArray();
    }

    @Benchmark
    public Envelope decodeSend() throws InvalidProtocolBufferException {
        return Envelope.parseFrom(sendBytes);
    }

    @Benchmark
    public byte[] encodeBroadcast() {
        return broadcast.toByteArray();
    }

    @Benchmark
    public Envelope decodeBroadcast() throws InvalidProtocolBufferException {
        return Envelope.parseFrom(broadcastBytes);
    }
}
