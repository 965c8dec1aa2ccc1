package io.gatewayworker.bench.load;

import io.gatewayworker.bench.Messages;
import io.gatewayworker.bench.Options;
import io.gatewayworker.bench.Transports;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;

/**
 * One load-generator process. {@code bin/bench} starts one or more of them and drives them through
 * standard input, one command a line; each answer is one line on standard output that starts with
 * {@code @} (anything else there is log):
 *
 * <pre>
 *   connect N        open N more connections         -&gt; @connected opened= failed= open= millis= [error=...]
 *   start            start the load (echo: every client sends; broadcast: the first client sends)
 *                                                    -&gt; @started
 *   measure          the measured window starts      -&gt; @ok
 *   end              the measured window ends        -&gt; @ok
 *   mark on|off      a reload is (no longer) under way; latencies go to a separate histogram -&gt; @ok
 *   drain SECONDS    stop sending; wait for what is in flight -&gt; @drained outstanding=
 *   report           the figures                     -&gt; @result key=value ... (histograms in base64)
 *   status           -&gt; @status open= closed=
 *   exit             close every connection and exit -&gt; @bye
 * </pre>
 *
 * The process exits by itself when its standard input closes (its parent is gone).
 *
 * <p>Threads: {@code main} reads commands and blocks on their completion; {@code --threads} event loops
 * ({@code load-io}) run the connections; nothing else.
 */
public final class LoadGenerator {

    private final PrintStream out;
    private final EventLoopGroup group;
    private final LoadContext load;
    private final Connector connector;
    private final String mode;

    LoadGenerator(Options options, PrintStream out) {
        this.out = out;
        this.mode = options.choice("--mode", "echo", "echo", "broadcast", "idle");
        InetAddress host = options.loopback("--host", "127.0.0.1");
        if (!options.has("--port")) {
            throw new IllegalArgumentException("--port: missing (expected: the server's port)");
        }
        int port = options.integer("--port", 0, 1, 65535);
        List<InetAddress> sources = options.loopbackList("--source-addresses", "127.0.0.1");
        int sourceOffset = options.integer("--source-offset", 0, 0, Integer.MAX_VALUE);
        int threads = options.integer("--threads", 1, 1, 64);
        String prefix = mode.equals("broadcast") ? Messages.ALL : Messages.ECHO;
        int size = options.integer("--size", 32, Messages.minSize(prefix), 60 * 1024);
        int window = options.integer("--window", 4, 1, BroadcastState.MAX_WINDOW);
        double replyTimeout = options.seconds("--reply-timeout", 5, 0.01, 600);
        int concurrency = options.integer("--concurrency", 200, 1, 10_000);
        double connectTimeout = options.seconds("--connect-timeout", 10, 0.1, 600);
        Transports transport = Transports.of(options.choice("--transport", "epoll", "epoll", "nio"));
        options.checkAllUsed();
        this.group = transport.group(threads, "load-io");
        this.load = new LoadContext(group, size, replyTimeout, window);
        this.connector = new Connector(group, transport, new InetSocketAddress(host, port), sources, sourceOffset,
                concurrency, Math.round(connectTimeout * 1000));
        for (EventLoop loop : load.loops()) {
            LoopStats stats = load.stats(loop);
            loop.scheduleAtFixedRate(() -> {
                long now = Window.now();
                for (LoadHandler h : stats.handlers) {
                    h.checkTimeout(now);
                }
            }, 100, 100, TimeUnit.MILLISECONDS);
        }
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        LoadGenerator generator;
        try {
            generator = new LoadGenerator(new Options(args, Set.of()), out);
        } catch (IllegalArgumentException e) {
            System.err.println("load: " + e.getMessage());
            System.exit(2);
            return;
        }
        int status = generator.run(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        System.exit(status);
    }

    private int run(BufferedReader in) throws IOException, InterruptedException {
        String line;
        try {
            while ((line = in.readLine()) != null) {
                String[] words = line.trim().split("\\s+");
                if (words[0].isEmpty()) {
                    continue;
                }
                try {
                    if (!execute(words)) {
                        return 0;
                    }
                } catch (IllegalArgumentException | IllegalStateException | ExecutionException | TimeoutException e) {
                    out.println("@error " + e.getMessage());
                }
            }
            return 0;
        } finally {
            close();
        }
    }

    boolean execute(String[] words) throws InterruptedException, ExecutionException, TimeoutException {
        switch (words[0]) {
            case "connect" -> {
                int count = Integer.parseInt(arg(words, 1));
                Connector.Result r = connector.connect(count, i -> newHandler());
                out.println("@connected opened=" + r.opened() + " failed=" + r.failed() + " open=" + load.open()
                        + " millis=" + r.millis() + (r.firstError() == null ? "" : " error=" + r.firstError()));
            }
            case "start" -> {
                start();
                out.println("@started");
            }
            case "measure" -> {
                load.window().begin();
                out.println("@ok");
            }
            case "end" -> {
                load.window().end();
                out.println("@ok");
            }
            case "mark" -> {
                load.window().mark(arg(words, 1).equals("on"));
                out.println("@ok");
            }
            case "drain" -> {
                double seconds = Double.parseDouble(arg(words, 1));
                out.println("@drained outstanding=" + drain(seconds));
            }
            case "report" -> out.println("@result " + report());
            case "status" -> {
                Counters s = snapshot();
                out.println("@status open=" + load.open() + " closed=" + s.closed);
            }
            case "exit" -> {
                out.println("@bye");
                return false;
            }
            default -> throw new IllegalArgumentException("unknown command '" + words[0] + "'");
        }
        return true;
    }

    private LoadHandler newHandler() {
        return switch (mode) {
            case "echo" -> new EchoHandler(load);
            case "broadcast" -> new BroadcastHandler(load);
            default -> new LoadHandler(load);
        };
    }

    private void start() {
        load.running(true);
        if (mode.equals("echo")) {
            for (Channel ch : connector.channels()) {
                EchoHandler h = ch.pipeline().get(EchoHandler.class);
                if (h != null) {
                    ch.eventLoop().execute(h::begin);
                }
            }
        } else if (mode.equals("broadcast")) {
            for (Channel ch : connector.channels()) {
                BroadcastHandler h = ch.pipeline().get(BroadcastHandler.class);
                if (h != null && ch.isActive()) {
                    load.broadcast().start(h);
                    EventLoop senderLoop = ch.eventLoop();
                    senderLoop.scheduleAtFixedRate(() -> load.broadcast().check(Window.now(), false),
                            100, 100, TimeUnit.MILLISECONDS);
                    return;
                }
            }
            throw new IllegalStateException("no open connection to send broadcasts from");
        }
    }

    /** Stops sending and waits up to {@code seconds} for what is in flight; returns what is still out. */
    private long drain(double seconds) throws InterruptedException, ExecutionException, TimeoutException {
        load.running(false);
        long deadline = System.nanoTime() + Math.round(seconds * 1e9);
        while (true) {
            long out = mode.equals("broadcast") ? load.broadcast().inFlight() : snapshot().outstanding;
            if (out == 0 || System.nanoTime() > deadline) {
                if (mode.equals("broadcast") && out > 0) {
                    // Give up what is left, so that its missing deliveries are counted.
                    onSenderLoop(() -> load.broadcast().check(Window.now(), true));
                }
                return out;
            }
            Thread.sleep(20);
        }
    }

    /** Runs {@code task} on the broadcast sender's loop and waits for its result; 0 without a sender. */
    private long onSenderLoop(java.util.concurrent.Callable<? extends Number> task)
            throws InterruptedException, ExecutionException, TimeoutException {
        EventLoop loop = load.broadcast().senderLoop();
        if (loop == null) {
            return 0;
        }
        return loop.submit(task).get(10, TimeUnit.SECONDS).longValue();
    }

    private Counters snapshot() throws InterruptedException, ExecutionException, TimeoutException {
        Counters total = new Counters();
        List<Future<Counters>> parts = new ArrayList<>();
        for (EventLoop loop : load.loops()) {
            LoopStats stats = load.stats(loop);
            parts.add(loop.submit(stats::snapshot));
        }
        for (Future<Counters> f : parts) {
            total.add(f.get(10, TimeUnit.SECONDS));
        }
        return total;
    }

    private String report() throws InterruptedException, ExecutionException, TimeoutException {
        Counters s = snapshot();
        return "mode=" + mode + " ops=" + s.ops + " markedOps=" + s.markedOps + " completed=" + s.completed
                + " timeouts=" + s.timeouts + " late=" + s.late + " mismatched=" + s.mismatched + " gaps=" + s.gaps
                + " duplicates=" + s.duplicates + " undelivered=" + s.undelivered + " closed=" + s.closed
                + " outstanding=" + s.outstanding + " open=" + load.open()
                + " broadcasts=" + (mode.equals("broadcast") ? sentBroadcasts() : 0)
                + " latency=" + encode(s.latency) + " marked=" + encode(s.marked) + " complete=" + encode(s.complete);
    }

    private long sentBroadcasts() throws InterruptedException, ExecutionException, TimeoutException {
        return onSenderLoop(() -> load.broadcast().sent());
    }

    /** A histogram in HdrHistogram's compressed form, base64. */
    static String encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(buf);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), n));
    }

    void close() throws InterruptedException {
        load.running(false);
        load.closing(true);
        for (Channel ch : connector.channels()) {
            ch.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }

    private static String arg(String[] words, int i) {
        if (i >= words.length) {
            throw new IllegalArgumentException(words[0] + ": missing argument");
        }
        return words[i];
    }
}
