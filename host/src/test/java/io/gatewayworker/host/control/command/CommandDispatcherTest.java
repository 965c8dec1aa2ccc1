package io.gatewayworker.host.control.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Lines in, exit statuses and one-line answers out: the dispatcher against a fake view, no sockets. */
class CommandDispatcherTest {

    private final AtomicReference<String> stopped = new AtomicReference<>();

    /** A command's exit status and its answer. */
    private record Answer(int status, String text) {
    }

    private Answer run(OperatorView view, String line) {
        CommandDispatcher dispatcher = new CommandDispatcher(CommandGroup.standard(), view,
                (graceful, timeout) -> stopped.set("graceful=" + graceful + " timeout=" + timeout.toSeconds()));
        StringWriter text = new StringWriter();
        int status = dispatcher.execute(line, new PrintWriter(text));
        return new Answer(status, text.toString());
    }

    @Test
    void runsACommandByItsNameOrItsAlias() {
        FakeView view = FakeView.gatewayAndWorker();
        view.gateway.connect("c1", "ann");
        Answer byName = run(view, "connections");
        Answer byAlias = run(view, "clients");
        assertEquals(0, byName.status());
        assertTrue(byName.text().contains("c1") && byName.text().endsWith("1 client(s)\n"), byName.text());
        assertEquals(byName.text().replaceAll("\\d+ms", ""), byAlias.text().replaceAll("\\d+ms", ""));
        view.worker.run("chat");
        assertTrue(run(view, "apps").text().contains("chat"));
    }

    @Test
    void anUnknownCommandIsBadUsageWithTheNearestName() {
        Answer answer = run(FakeView.gatewayAndWorker(), "statsu");
        assertEquals(2, answer.status());
        assertEquals("unknown command 'statsu' (did you mean status?); type help for the commands\n", answer.text());
    }

    @Test
    void argumentsThatDoNotFitSayWhatIsWrongAndTheUsageInOneLine() {
        FakeView view = FakeView.gatewayAndWorker();
        String usage = "; usage: connections [--uid UID] [--group GROUP] [--app APP] [--limit N]\n";
        assertEquals(new Answer(2, "option --limit needs a value (N)" + usage), run(view, "connections --limit"));
        assertEquals(new Answer(2, "--limit: '0' (expected: a whole number, at least 1)" + usage),
                run(view, "connections --limit 0"));
        assertEquals(new Answer(2, "unknown option '--bogus'" + usage), run(view, "connections --bogus x"));
        assertEquals(new Answer(2, "missing CLIENT; usage: kick CLIENT [REASON]\n"), run(view, "kick"));
        assertEquals(new Answer(2, "missing MESSAGE; usage: send CLIENT MESSAGE\n"), run(view, "send c1"));
        assertEquals(new Answer(2, "unexpected argument 'now'; usage: groups\n"), run(view, "groups now"));
        assertEquals(new Answer(2, "unexpected argument '30'; usage: stop [-g] [--timeout SECONDS]\n"),
                run(view, "stop -g 30"));
        assertEquals(null, stopped.get(), "a stop with bad usage stops nothing");
    }

    @Test
    void optionsTakeTheirValueAfterASpaceOrAnEqualsSignAndFilter() {
        FakeView view = FakeView.gatewayAndWorker();
        view.gateway.connect("c1", "ann", "lobby");
        view.gateway.connect("c2", "bob");
        view.gateway.connect("c3", "cid", "lobby");
        assertTrue(run(view, "connections --uid=bob").text().endsWith("1 client(s)\n"));
        Answer lobby = run(view, "connections --group lobby --limit 1");
        assertTrue(lobby.text().contains("c1") && !lobby.text().contains("c3"), lobby.text());
        assertTrue(lobby.text().endsWith("... 1 more (--limit N shows more)\n2 client(s)\n"), lobby.text());
        assertEquals("no client matches\n", run(view, "connections --uid nobody").text());
    }

    @Test
    void theRestOfTheLineKeepsItsSpacesAndItsDashes() {
        FakeView view = FakeView.gatewayAndWorker();
        view.gateway.connect("c1", null);
        assertEquals(new Answer(0, "sent to c1\n"), run(view, "send c1  hello   world "));
        assertEquals(new Answer(0, "sent to 1 client(s)\n"), run(view, "broadcast -1 --uid x"));
        assertEquals(new Answer(0, "closing c1\n"), run(view, "kick c1"));
        assertEquals(List.of("send c1 hello   world", "broadcast -1 --uid x", "kick c1 kicked"), view.gateway.sent);
        assertEquals(new Answer(1, "no client c1 on this gateway\n"), run(view, "send c1 again"));
    }

    @Test
    void aCommandWhoseRoleTheProcessLacksAnswersOneLineAndFails() {
        String noGateway = "this process runs no gateway (roles: worker worker-1); run it on a gateway process,"
                + " or on the whole cluster once it can be asked\n";
        FakeView workerOnly = FakeView.workerOnly();
        for (String line : List.of("connections", "kick c1", "send c1 hi", "broadcast hi", "groups")) {
            assertEquals(new Answer(1, noGateway), run(workerOnly, line), line);
        }
        String noWorker = "this process runs no worker (roles: gateway 127.0.0.1:2300); run it on a worker process,"
                + " or on the whole cluster once it can be asked\n";
        FakeView gatewayOnly = FakeView.gatewayOnly();
        for (String line : List.of("plugins", "reload", "reload chat")) {
            assertEquals(new Answer(1, noWorker), run(gatewayOnly, line), line);
        }
        assertEquals(0, run(workerOnly, "config").status());
    }

    @Test
    void aFailureOfTheViewIsOneLineNamingTheCommand() {
        FakeView view = FakeView.gatewayAndWorker();
        view.gateway.groupsFailure = new IllegalStateException("the gateway's list of groups did not answer within 5 s");
        assertEquals(new Answer(1, "groups failed: the gateway's list of groups did not answer within 5 s\n"),
                run(view, "groups"));
    }

    @Test
    void stopSaysHowAndAsksTheOwnerToStop() {
        FakeView view = FakeView.gatewayAndWorker();
        view.gateway.connect("c1", null);
        assertEquals(new Answer(0, "stopping gracefully: no new clients; waiting up to 30 s for 1 client(s) to leave\n"),
                run(view, "stop -g --timeout 30"));
        assertEquals("graceful=true timeout=30", stopped.get());
        stopped.set(null);
        assertEquals(new Answer(0, "stopping\n"), run(FakeView.workerOnly(), "stop"));
        assertEquals("graceful=false timeout=300", stopped.get());
    }

    @Test
    void helpListsEveryCommandAndDescribesOne() {
        FakeView view = FakeView.gatewayAndWorker();
        Answer all = run(view, "help");
        assertEquals(CommandGroup.standard().names().size(), all.text().lines().filter(l -> !l.startsWith(" ")).count());
        assertTrue(all.text().contains("broadcast MESSAGE"), all.text());
        Answer one = run(view, "help connections");
        assertTrue(one.text().startsWith("connections [--uid UID] [--group GROUP] [--app APP] [--limit N]\n"), one.text());
        assertTrue(one.text().contains("--limit N      At most N rows. (default 100)"), one.text());
        assertTrue(one.text().endsWith("  also: clients\n"), one.text());
        assertEquals(2, run(view, "help nosuch").status());
        all.text().lines().forEach(l -> assertTrue(l.length() <= 79, "over 79 columns: " + l));
        one.text().lines().forEach(l -> assertTrue(l.length() <= 79, "over 79 columns: " + l));
    }

    @Test
    void anEmptyLineDoesNothing() {
        assertEquals(new Answer(0, ""), run(FakeView.gatewayAndWorker(), "   "));
    }

    @Test
    void argumentsReadBackTheLineTheyMake() {
        List<Param> params = CommandGroup.standard().find("connections").orElseThrow().params();
        Arguments args = Arguments.parse(params, "--limit=5  --uid ann");
        assertEquals("--uid ann --limit 5", args.line());
        assertEquals("ann", Arguments.parse(params, args.line()).get("--uid"));
        assertEquals(5, Arguments.parse(params, args.line()).number("--limit"));
        assertEquals(100, Arguments.parse(params, "").number("--limit"), "the default");
        List<Param> kick = CommandGroup.standard().find("kick").orElseThrow().params();
        assertEquals("c1 going  away", Arguments.parse(kick, "c1 going  away").line());
    }

    @Test
    void aGroupRefusesTwoCommandsWithOneNameAndGrammarsThatReadTwoWays() {
        OperatorCommand status = CommandGroup.standard().find("status").orElseThrow();
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> CommandGroup.of(List.of(status, status)));
        assertEquals("command name 'status' of status is taken by status (expected: unique names and aliases)",
                twice.getMessage());
        OperatorCommand restFirst = new OperatorCommand() {
            @Override
            public String name() {
                return "x";
            }

            @Override
            public String summary() {
                return "x";
            }

            @Override
            public List<Param> params() {
                return List.of(Param.rest("TEXT", "Text."), Param.positional("ID", "An id."));
            }

            @Override
            public int execute(CommandContext context, Arguments args, PrintWriter out) {
                return 0;
            }
        };
        assertThrows(IllegalArgumentException.class, () -> CommandGroup.of(List.of(restFirst)));
        assertEquals(Duration.ofSeconds(300).toSeconds(),
                Arguments.parse(CommandGroup.standard().find("stop").orElseThrow().params(), "").number("--timeout"));
    }
}
