package io.gatewayworker.host.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One control connection's pipeline, as {@link ControlServer} builds it, on an EmbeddedChannel with
 * virtual time: the answer, wrong tokens, the bound of the request line, the request deadline and the
 * cap on connections.
 */
class ControlRequestTest {

    private static final String TOKEN = "0123456789abcdef";

    /** The command lines that ran. */
    private final List<String> ran = new ArrayList<>();
    private final ControlRequestHandler.Commands commands = (line, out) -> {
        ran.add(line);
        out.println("ran " + line);
        return 0;
    };
    /** Commands wait here until the test runs them. */
    private final Queue<Runnable> pool = new ArrayDeque<>();
    private ControlConnectionLimit limit = new ControlConnectionLimit(ControlServer.MAX_CONNECTIONS);
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void releaseAll() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    private EmbeddedChannel connect() {
        return connect(Runnable::run);
    }

    private EmbeddedChannel connect(Executor executor) {
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
                ControlServer.configure(c.pipeline(), limit, new ControlRequestHandler(TOKEN, "data/control", commands,
                        executor, TimeUnit.SECONDS.toMillis(ControlServer.REQUEST_DEADLINE_SECONDS),
                        ControlServer.MAX_REQUEST_BYTES));
            }
        });
        channels.add(ch);
        return ch;
    }

    private static void send(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    /** Everything written to the client so far. */
    private static String answer(EmbeddedChannel ch) {
        StringBuilder text = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            text.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return text.toString();
    }

    @Test
    void runsTheCommandAnswersWithItsExitStatusAndCloses() {
        EmbeddedChannel ch = connect();
        send(ch, TOKEN + "\tstat");
        send(ch, "us\n");
        assertEquals(List.of("status"), ran);
        assertEquals("ran status\n.exit 0\n", answer(ch));
        assertFalse(ch.isOpen());
    }

    @Test
    void wrongTokensAreRefusedAndLoggedWithTheAddressAndNothingRuns() {
        try (LogCapture log = new LogCapture()) {
            for (String request : List.of("wrong\tstop\n", "stop\n", "\tstop\n", TOKEN + "0\tstop\n",
                    TOKEN.substring(1) + "\tstop\n")) {
                EmbeddedChannel ch = connect();
                send(ch, request);
                String answer = answer(ch);
                assertTrue(answer.startsWith("unauthorized: "), answer);
                assertTrue(answer.endsWith("\n.exit 1\n"), answer);
                assertFalse(ch.isOpen(), "closed after " + request.strip());
            }
            assertEquals(List.of(), ran, "nothing ran");
            assertEquals(5, log.lines("Control endpoint: refused a request from embedded").size(),
                    "one line per refusal, with the remote address");
        }
    }

    @Test
    void aRequestLineOverTheBoundIsRefusedAsSoonAsItIsTooLong() {
        try (LogCapture log = new LogCapture()) {
            EmbeddedChannel ch = connect();
            String chunk = "x".repeat(16 * 1024);
            send(ch, TOKEN + "\t");
            for (int i = 0; i < 4; i++) {
                send(ch, chunk); // no LF yet: 64 KiB + the token, over the bound
            }
            String answer = answer(ch);
            assertEquals("refused: the request line is longer than 65536 bytes (expected: at most 65536,"
                    + " ending with LF)\n.exit 2\n", answer);
            assertFalse(ch.isOpen(), "closed without waiting for the line's end");
            assertEquals(1, log.lines("its line is longer than 65536 bytes").size());
            assertEquals(List.of(), ran);
        }
    }

    @Test
    void aRequestLineAtTheBoundIsServed() {
        EmbeddedChannel ch = connect();
        String command = "x".repeat(ControlServer.MAX_REQUEST_BYTES - TOKEN.length() - 1);
        send(ch, TOKEN + "\t" + command + "\n");
        assertEquals(List.of(command), ran);
        assertTrue(answer(ch).endsWith(".exit 0\n"));
    }

    @Test
    void aRequestThatTricklesInIsCutAtTheDeadlineAfterConnecting() {
        try (LogCapture log = new LogCapture()) {
            EmbeddedChannel ch = connect();
            String request = TOKEN + "\tstatus\n";
            int sent = 0;
            // A byte every 3 s: each read comes well within any per-read timeout.
            while (ch.isOpen() && sent < request.length()) {
                send(ch, request.substring(sent, sent + 1));
                sent++;
                ch.advanceTimeBy(3, TimeUnit.SECONDS);
                ch.runPendingTasks();
            }
            assertFalse(ch.isOpen(), "closed at the deadline");
            assertTrue(sent <= ControlServer.REQUEST_DEADLINE_SECONDS / 3 + 1, "sent " + sent + " bytes first");
            assertEquals("timeout: no complete request line within 10000 ms of connecting\n.exit 1\n", answer(ch));
            assertEquals(List.of(), ran);
            assertEquals(1, log.lines("no complete request line within 10000 ms").size());
        }
    }

    @Test
    void aSilentConnectionIsCutAtTheDeadline() {
        EmbeddedChannel ch = connect();
        ch.advanceTimeBy(ControlServer.REQUEST_DEADLINE_SECONDS - 1, TimeUnit.SECONDS);
        ch.runPendingTasks();
        assertTrue(ch.isOpen());
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runPendingTasks();
        assertFalse(ch.isOpen());
        answer(ch);
    }

    @Test
    void aLongCommandIsNotCutByTheRequestDeadline() {
        EmbeddedChannel ch = connect(pool::add);
        send(ch, TOKEN + "\treload\n");
        ch.advanceTimeBy(5, TimeUnit.MINUTES);
        ch.runPendingTasks();
        assertTrue(ch.isOpen(), "the command runs as long as it needs");
        pool.remove().run();
        assertEquals("ran reload\n.exit 0\n", answer(ch));
        assertFalse(ch.isOpen());
    }

    @Test
    void onlyTheFirstLineRuns() {
        EmbeddedChannel ch = connect();
        send(ch, TOKEN + "\thelp\n" + TOKEN + "\tstop\n");
        assertEquals(List.of("help"), ran);
        assertEquals("ran help\n.exit 0\n", answer(ch));
    }

    @Test
    void connectionsPastTheCapAreToldSoAndClosedWithOneLogLinePerBurst() {
        try (LogCapture log = new LogCapture()) {
            List<EmbeddedChannel> admitted = new ArrayList<>();
            for (int i = 0; i < ControlServer.MAX_CONNECTIONS; i++) {
                admitted.add(connect(pool::add));
            }
            admitted.forEach(ch -> assertTrue(ch.isActive()));
            assertEquals(ControlServer.MAX_CONNECTIONS, limit.open());
            for (int i = 0; i < 3; i++) {
                EmbeddedChannel refused = connect();
                String answer = answer(refused);
                assertEquals("busy: 16 control connections are open (the limit); try again when one has finished\n"
                        + ".exit 1\n", answer);
                assertFalse(refused.isOpen());
            }
            assertEquals(1, log.lines("refusing new ones until one closes").size(), "one line for the burst");
            assertEquals(ControlServer.MAX_CONNECTIONS, limit.open());

            send(admitted.get(0), TOKEN + "\tstatus\n");
            pool.remove().run();
            assertFalse(admitted.get(0).isOpen());
            answer(admitted.get(0));
            EmbeddedChannel next = connect();
            assertTrue(next.isActive(), "a freed place is taken again");
            assertEquals(1, log.lines("accepting connections again; refused 3 while at the limit of 16").size());

            connect();
            assertEquals(2, log.lines("refusing new ones until one closes").size(), "a new burst, a new line");
            admitted.forEach(EmbeddedChannel::close);
            next.close();
            assertEquals(0, limit.open());
        }
    }
}
