package io.gatewayworker.bench.jmh;

import io.gatewayworker.host.config.ClusterConfig;
import io.gatewayworker.host.config.Limits;
import io.gatewayworker.host.link.InternalNetwork;
import io.gatewayworker.host.link.LinkInitializer;
import io.gatewayworker.host.link.LinkProtocol;
import io.gatewayworker.host.link.RegisterLink;
import io.gatewayworker.host.register.RegisterServer;
import io.gatewayworker.host.transport.EventLoops;
import io.gatewayworker.host.transport.InternalAddress;
import io.gatewayworker.host.transport.Transport;
import io.gatewayworker.host.worker.BusinessWorker;
import io.gatewayworker.proto.link.v1.AppInfo;
import io.gatewayworker.proto.link.v1.ClientEvent;
import io.gatewayworker.proto.link.v1.ClientInfo;
import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.Hello;
import io.gatewayworker.proto.link.v1.Role;
import io.gatewayworker.proto.link.v1.Welcome;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Dispatch on the worker: a client's {@code echo:} message from the in-JVM link to the bench app's
 * {@code onMessage} and its {@code Send} command back on the link, per event. A real
 * {@link BusinessWorker} (with a register, PF4J and the bench app jar from {@code plugins/bench/target})
 * links to a stand-in gateway, which writes {@value #EVENTS} events per operation and waits for their
 * {@value #EVENTS} commands: spread over 100 clients, one event each (every event starts a mailbox on a
 * virtual thread, as in a closed loop), or all for 1 client (one mailbox runs them in a row).
 *
 * <p>It includes the link thread's work on both ends and the thread hand-offs; not the gateway's
 * client side (reading frames, writing replies), which {@code bin/bench echo} measures with it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@OperationsPerInvocation(DispatchBenchmark.EVENTS)
public class DispatchBenchmark {

    static final int EVENTS = 100;
    private static final InternalAddress REGISTER = new InternalAddress("127.0.0.1", 1236);
    private static final InternalAddress GATEWAY = new InternalAddress("127.0.0.1", 2300);

    /** How many clients the events of one operation are spread over. */
    @Param({"100", "1"})
    public int clients;

    private Path dir;
    private EventLoops loops;
    private RegisterServer register;
    private RegisterLink announce;
    private Channel server;
    private BusinessWorker worker;
    private Channel link;
    private Envelope[] messages;
    private final Semaphore replies = new Semaphore(0);

    @Setup(Level.Trial)
    public void setup() throws Exception {
        dir = Files.createTempDirectory("gw-dispatch-bench");
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.copy(benchAppJar(), plugins.resolve("bench.jar"));
        String namespace = "dispatch-bench-" + ProcessHandle.current().pid();
        loops = EventLoops.create(1);

        InternalNetwork network = new InternalNetwork(loops, namespace, ClusterConfig.defaults());
        register = new RegisterServer(network, REGISTER);
        register.start().get(10, TimeUnit.SECONDS);
        network.gatewayHere(GATEWAY);

        CompletableFuture<Channel> serving = new CompletableFuture<>();
        server = loops.internalServer(Transport.LOCAL)
                .childHandler(new LinkInitializer(Transport.LOCAL, () -> new StandInGateway(serving), "StandInGateway"))
                .bind(network.local("gateway", GATEWAY)).sync().channel();
        announce = new RegisterLink(network, REGISTER, Hello.newBuilder()
                .setProtocolVersion(LinkProtocol.VERSION).setRole(Role.GATEWAY).setName("stand-in")
                .setGatewayAddress(GATEWAY.toString()).build(), list -> { });
        announce.start();

        worker = new BusinessWorker(network, List.of(REGISTER), "w1", plugins, dir.resolve("data"), Limits.defaults());
        worker.start(false).get(30, TimeUnit.SECONDS);
        link = serving.get(30, TimeUnit.SECONDS);

        // Connect the clients (the first event of a client tells the worker who it is), then keep one
        // ready-made message per client.
        messages = new Envelope[clients];
        link.eventLoop().submit(() -> {
            for (int c = 0; c < clients; c++) {
                ClientInfo info = ClientInfo.newBuilder().setApp("bench").setListener("ws://127.0.0.1:7272")
                        .setProtocol("websocket").setRemoteHost("127.0.0.1").setRemotePort(40000 + c).build();
                link.write(Envelope.newBuilder().setEvent(ClientEvent.newBuilder().setConnection(c)
                        .setType(ClientEvent.Type.CONNECT).setClient(info)).build(), link.voidPromise());
                messages[c] = Envelope.newBuilder().setEvent(ClientEvent.newBuilder().setConnection(c)
                        .setType(ClientEvent.Type.MESSAGE).setText("echo:0123456789abcdef")).build();
            }
            link.flush();
        }).get(10, TimeUnit.SECONDS);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (link != null) {
            // The worker gives the app onClose for the link's clients; let it before stopping the app.
            link.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (worker != null && !worker.gateways().isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (worker != null) {
            worker.close();
        }
        if (announce != null) {
            announce.close();
        }
        if (server != null) {
            server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        if (register != null) {
            register.close();
        }
        if (loops != null) {
            loops.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** {@value #EVENTS} messages in, {@value #EVENTS} {@code Send} commands out; the time is per event. */
    @Benchmark
    public void echo() throws InterruptedException {
        Channel ch = link;
        ch.eventLoop().execute(() -> {
            for (int i = 0; i < EVENTS; i++) {
                ch.write(messages[i % clients], ch.voidPromise());
            }
            ch.flush();
        });
        if (!replies.tryAcquire(EVENTS, 30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the worker did not answer " + EVENTS + " events within 30 s");
        }
    }

    /**
     * The gateway's side of the link, reduced to what the benchmark needs: welcome the worker, wait until
     * it serves the bench app, count the clients its {@code Send} commands reach. Link loop.
     */
    private final class StandInGateway extends SimpleChannelInboundHandler<Envelope> {

        private final CompletableFuture<Channel> serving;

        StandInGateway(CompletableFuture<Channel> serving) {
            this.serving = serving;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Envelope msg) {
            switch (msg.getBodyCase()) {
                case HELLO -> ctx.writeAndFlush(Envelope.newBuilder().setWelcome(Welcome.newBuilder()
                        .setProtocolVersion(LinkProtocol.VERSION).setGatewayAddress(GATEWAY.toString())
                        .setName("stand-in")).build());
                case APPS -> {
                    for (AppInfo app : msg.getApps().getAppsList()) {
                        if (app.getId().equals("bench") && app.getServing()) {
                            serving.complete(ctx.channel());
                        }
                    }
                }
                case COMMAND -> {
                    if (msg.getCommand().hasSend()) {
                        replies.release(msg.getCommand().getSend().getConnectionsCount());
                    }
                }
                case PING -> LinkProtocol.pong(ctx, msg.getPing());
                default -> { } // credit, flow control: a stand-in does not enforce them
            }
        }
    }

    /** {@code plugins/bench/target/bench-*.jar} (not the reload build), under the project's root. */
    private static Path benchAppJar() throws IOException {
        Path start = Path.of(System.getProperty("gatewayworker.root", ".")).toAbsolutePath();
        for (Path root = start; root != null; root = root.getParent()) {
            Path target = root.resolve("plugins/bench/target");
            if (Files.isDirectory(target)) {
                try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "bench-*.jar")) {
                    for (Path jar : jars) {
                        if (!jar.getFileName().toString().endsWith("-reload.jar")) {
                            return jar;
                        }
                    }
                }
            }
        }
        throw new IOException("no plugins/bench/target/bench-*.jar under " + start
                + " or its parents: build the project first (bin/bench builds it)");
    }
}
