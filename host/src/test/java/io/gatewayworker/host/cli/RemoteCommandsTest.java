package io.gatewayworker.host.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.host.control.command.CommandGroup;
import io.gatewayworker.host.control.command.OperatorCommand;
import io.gatewayworker.host.control.command.Param;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** The command line's operator commands are made from the command objects; nothing runs here. */
class RemoteCommandsTest {

    /** Options every subcommand has: the configuration's and the standard help's. */
    private static final Set<String> COMMON = Set.of("-c", "--config", "--data", "--set", "-h", "--help", "-V", "--version");

    @TempDir
    Path dir;

    private record Result(int status, String out, String err) {
    }

    private Result cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--data");
        all.add(dir.toString());
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            return new Result(Cli.run(all.toArray(String[]::new)), o.toString(StandardCharsets.UTF_8),
                    e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void everyOperatorCommandButHelpIsASubcommandWithTheGrammarOfItsObject() {
        CommandLine cli = Cli.commandLine();
        for (OperatorCommand command : CommandGroup.standard().commands()) {
            if (command.name().equals("help")) {
                continue;
            }
            CommandLine sub = cli.getSubcommands().get(command.name());
            assertNotNull(sub, command.name());
            CommandSpec spec = sub.getCommandSpec();
            assertEquals(command.aliases(), List.of(spec.aliases()), command.name());
            for (String alias : command.aliases()) {
                assertEquals(sub, cli.getSubcommands().get(alias));
            }
            Set<String> options = new TreeSet<>();
            spec.options().forEach(o -> options.addAll(List.of(o.names())));
            options.removeAll(COMMON);
            Set<String> expected = new TreeSet<>(command.params().stream().filter(Param::isOption).map(Param::name).toList());
            if (command.name().equals("status")) {
                expected.add("-d"); // the command line's own: refresh every second
            }
            assertEquals(expected, options, command.name());
            assertEquals(command.params().stream().filter(p -> !p.isOption()).map(Param::label).toList(),
                    spec.positionalParameters().stream().map(p -> p.paramLabel()).toList(), command.name());
            assertTrue(spec.usageMessage().description()[0].toLowerCase().startsWith(command.summary().toLowerCase()));
        }
        assertNotNull(cli.getSubcommands().get("help"));
        assertNotNull(cli.getSubcommands().get("start"));
        assertNotNull(cli.getSubcommands().get("restart"));
    }

    @Test
    void badUsageIsExit2BeforeAnythingIsSent() {
        assertEquals(new Result(Cli.USAGE, "", "gatewayworker: missing CLIENT; usage: kick CLIENT [REASON]\n"), cli("kick"));
        Result limit = cli("connections", "--limit", "none");
        assertEquals(new Result(Cli.USAGE, "", "gatewayworker: --limit: 'none' (expected: a whole number, at least 1);"
                + " usage: connections [--uid UID] [--group GROUP] [--app APP] [--limit N]\n"), limit);
        assertEquals(Cli.USAGE, cli("stop", "--timeout", "-1").status());
        assertEquals(Cli.USAGE, cli("groups", "extra").status());
    }

    @Test
    void aWellFormedCommandWithNothingRunningIsExit3() {
        for (String[] args : List.of(new String[] {"send", "c1", "-1", "and", "more"}, new String[] {"broadcast", "hi"},
                new String[] {"kick", "c1"}, new String[] {"groups"}, new String[] {"clients", "--uid", "ann"},
                new String[] {"apps"}, new String[] {"reload"})) {
            Result result = cli(args);
            assertEquals(Cli.NOT_RUNNING, result.status(), String.join(" ", args) + ": " + result.err());
            assertTrue(result.err().startsWith("GatewayWorker is not running"), result.err());
        }
    }

    @Test
    void helpDescribesACommandWithoutARunningInstance() {
        Result help = cli("help", "send");
        assertEquals(Cli.OK, help.status(), help.err());
        assertTrue(help.out().startsWith("Usage: gatewayworker send "), help.out());
        assertTrue(help.out().contains("CLIENT MESSAGE..."), help.out());
        assertTrue(help.out().contains("Send a text message to one client."), help.out());
    }
}
