package io.gatewayworker.host.control.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What Tab offers, from the command objects' grammar and live data: a fake view, no terminal. */
class CompletionTest {

    /** One dispatcher per view, as the shell has: what it offers must change with the data. */
    private final Map<OperatorView, CommandDispatcher> dispatchers = new HashMap<>();

    private List<String> complete(OperatorView view, String typed) {
        CommandDispatcher dispatcher = dispatchers.computeIfAbsent(view,
                v -> new CommandDispatcher(CommandGroup.standard(), v, (g, t) -> { }));
        List<String> words = Arrays.asList((typed + "\u0000").split(" +"));
        words.set(words.size() - 1, words.get(words.size() - 1).replace("\u0000", ""));
        return dispatcher.complete(words, words.size() - 1);
    }

    @Test
    void theFirstWordIsACommandName() {
        assertEquals(List.of("status", "connections", "plugins", "reload", "kick", "send", "broadcast", "groups",
                "config", "stop", "help"), complete(FakeView.gatewayAndWorker(), ""));
    }

    @Test
    void clientIdsAppsAndGroupsComeFromLiveDataOnEachTab() {
        FakeView view = FakeView.gatewayAndWorker();
        assertEquals(List.of(), complete(view, "kick "));
        view.gateway.connect("c2", null, "lobby");
        view.gateway.connect("c1", null, "games", "lobby");
        assertEquals(List.of("c1", "c2"), complete(view, "kick "));
        assertEquals(List.of("c1", "c2"), complete(view, "send "));
        assertEquals(List.of("games", "lobby"), complete(view, "connections --group "));
        view.worker.run("chat");
        assertEquals(List.of("chat"), complete(view, "reload "));
        assertEquals(List.of("chat"), complete(view, "connections --app "));
        view.worker.run("rooms");
        assertEquals(List.of("chat", "rooms"), complete(view, "reload "));
    }

    @Test
    void afterACommandItOffersTheOptionsNotGivenYet() {
        FakeView view = FakeView.gatewayAndWorker();
        assertEquals(List.of("--uid", "--group", "--app", "--limit"), complete(view, "connections "));
        assertEquals(List.of("--group", "--app", "--limit"), complete(view, "connections --uid ann "));
        assertEquals(List.of(), complete(view, "connections --uid "), "a uid is anything");
        assertEquals(List.of("-g", "--timeout"), complete(view, "stop "));
        assertEquals(List.of("--timeout"), complete(view, "stop -g "));
    }

    @Test
    void nothingAfterTheLastPositionalNorInsideTheRestOfTheLine() {
        FakeView view = FakeView.gatewayAndWorker();
        view.gateway.connect("c1", null);
        assertEquals(List.of(), complete(view, "send c1 "));
        assertEquals(List.of(), complete(view, "send c1 hello "));
        assertEquals(List.of(), complete(view, "reload chat "));
        assertEquals(List.of(), complete(view, "nosuch "));
    }

    @Test
    void helpCompletesCommandNames() {
        assertEquals(CommandGroup.standard().names(), complete(FakeView.gatewayAndWorker(), "help "));
    }

    @Test
    void aRoleTheProcessLacksOrASourceThatFailsOffersNothing() {
        FakeView workerOnly = FakeView.workerOnly();
        workerOnly.worker.run("chat");
        assertEquals(List.of(), complete(workerOnly, "kick "));
        assertEquals(List.of(), complete(workerOnly, "connections --group "));
        assertEquals(List.of("chat"), complete(workerOnly, "reload "));
        assertEquals(List.of(), complete(FakeView.gatewayOnly(), "reload "));
        FakeView failing = FakeView.gatewayAndWorker();
        failing.gateway.groupsFailure = new IllegalStateException("no answer");
        assertEquals(List.of(), complete(failing, "connections --group "));
    }
}
