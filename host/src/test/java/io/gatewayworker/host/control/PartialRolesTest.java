package io.gatewayworker.host.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.host.Host;
import io.gatewayworker.host.config.HostConfig;
import io.gatewayworker.host.config.HostRole;
import io.gatewayworker.host.config.ListenerConfig;
import io.gatewayworker.host.transport.InternalAddress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's commands on a process that runs only some roles: status shows the roles and the
 * sections that apply; a command whose role is missing answers one line and exits 1. Each host binds
 * 127.0.0.1 only, on ports the system picks; the register it names is not running.
 */
class PartialRolesTest {

    @TempDir
    Path dir;

    /** A command's exit status and its answer. */
    private record Answer(int status, String text) {
    }

    private Host start(Set<HostRole> roles) {
        return Host.start(HostConfig.defaults().with(b -> {
            b.roles = roles;
            b.registerAddresses = List.of(new InternalAddress("127.0.0.1", 0));
            b.gatewayAddress = new InternalAddress("127.0.0.1", 0);
            b.listeners = List.of(ListenerConfig.parse("ws://127.0.0.1:0"));
            b.pluginsDir = dir.resolve("plugins");
            b.dataDir = dir.resolve("data");
            b.ioThreads = 1;
            b.watchPlugins = false;
        }));
    }

    private static Answer run(AdminCommands commands, String line) {
        StringWriter text = new StringWriter();
        int status = commands.execute(line, new PrintWriter(text));
        return new Answer(status, text.toString());
    }

    @Test
    void statusConnectionsAndTheShellsCommandsWorkOnAWorkerOnlyProcess() {
        Host host = start(EnumSet.of(HostRole.WORKER));
        try (AdminCommands commands = new AdminCommands(host, (g, t) -> { })) {
            Answer status = run(commands, "status");
            assertEquals(0, status.status(), status.text());
            List<String> lines = status.text().lines().toList();
            assertEquals("roles    worker worker-1", lines.get(1));
            assertEquals("gateways none linked", lines.get(2));
            assertTrue(status.text().contains("\nflow     stalls 0"), status.text());
            assertTrue(status.text().endsWith("\n\nno app is running: put an app jar into " + dir.resolve("plugins") + "\n"),
                    status.text());
            assertFalse(status.text().contains("clients") || status.text().contains("LISTENER")
                    || status.text().contains("events waited"), "no gateway section: " + status.text());

            String noGateway = "this process runs no gateway (roles: worker worker-1); run it on a gateway process,"
                    + " or on the whole cluster once it can be asked\n";
            for (String line : List.of("connections", "kick 7f00000108fc00000001", "send 7f00000108fc00000001 hi",
                    "broadcast hi", "groups")) {
                assertEquals(new Answer(1, noGateway), run(commands, line), line);
            }
            assertEquals(0, run(commands, "plugins").status());
            assertEquals(0, run(commands, "config").status());
            assertEquals(0, run(commands, "help").status());
            assertEquals(List.of(), commands.dispatcher().complete(List.of("kick", ""), 1), "no client ids to offer");
        } finally {
            host.stop();
        }
    }

    @Test
    void statusAndConnectionsWorkOnAGatewayOnlyProcess() {
        Host host = start(EnumSet.of(HostRole.GATEWAY));
        try (AdminCommands commands = new AdminCommands(host, (g, t) -> { })) {
            Answer status = run(commands, "status");
            assertEquals(0, status.status(), status.text());
            List<String> lines = status.text().lines().toList();
            assertEquals("roles    gateway " + host.gateway().internalAddress(), lines.get(1));
            assertEquals("workers  none linked", lines.get(2));
            assertTrue(status.text().contains("\nclients  0 connected\n"), status.text());
            assertTrue(status.text().contains("events waited for a worker at once"), status.text());
            assertTrue(status.text().contains("\n\nLISTENER "), status.text());
            assertTrue(status.text().endsWith("  since start: 0 messages in, 0 out; 0B in, 0B out\n"), status.text());
            assertFalse(status.text().contains("APP ") && status.text().contains("RELOADS")
                    || status.text().contains("no app is running"), "no worker section: " + status.text());

            assertEquals(new Answer(0, "no client is connected\n"), run(commands, "connections"));
            assertEquals(new Answer(0, "no group has members\n"), run(commands, "groups"));
            assertEquals(new Answer(0, "sent to 0 client(s)\n"), run(commands, "broadcast hi"));
            String noWorker = "this process runs no worker (roles: gateway " + host.gateway().internalAddress()
                    + "); run it on a worker process, or on the whole cluster once it can be asked\n";
            assertEquals(new Answer(1, noWorker), run(commands, "plugins"));
            assertEquals(new Answer(1, noWorker), run(commands, "reload"));
        } finally {
            host.stop();
        }
    }

    @Test
    void statusWorksOnARegisterOnlyProcess() {
        Host host = start(EnumSet.of(HostRole.REGISTER));
        try (AdminCommands commands = new AdminCommands(host, (g, t) -> { })) {
            Answer status = run(commands, "status");
            assertEquals(0, status.status(), status.text());
            List<String> lines = status.text().lines().toList();
            assertEquals(4, lines.size(), status.text());
            assertTrue(lines.get(1).startsWith("roles    register 127.0.0.1:"), status.text());
            assertEquals("register lists 0 gateway(s); 0 subscriber(s)", lines.get(2));
            assertTrue(lines.get(3).startsWith("memory   heap "), status.text());
        } finally {
            host.stop();
        }
    }
}
