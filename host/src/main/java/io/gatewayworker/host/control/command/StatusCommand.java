package io.gatewayworker.host.control.command;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code status}: the process (version, pid, uptime, roles, memory), then a section per role it runs:
 * the gateway's clients, flow and listeners with their rates, the worker's apps. A process that does not
 * run every role also says what its roles are linked to. Works on every combination of roles.
 */
final class StatusCommand implements OperatorCommand {

    @Override
    public String name() {
        return "status";
    }

    @Override
    public String summary() {
        return "roles, listeners, traffic and rates, memory, uptime, apps";
    }

    @Override
    public List<String> details() {
        return List.of("Connections per listener, messages and bytes in and out with rates, heap and direct memory,"
                + " uptime, and each app's version, state, events and errors: the sections of the roles this process"
                + " runs.");
    }

    @Override
    public int execute(CommandContext context, Arguments args, PrintWriter out) {
        OperatorView view = context.view();
        Optional<OperatorView.Gateway> gateway = view.gateway();
        Optional<OperatorView.Worker> worker = view.worker();
        Optional<OperatorView.Register> register = view.register();
        List<String> sections = new ArrayList<>();
        sections.add(process(view, gateway, worker, register));
        gateway.ifPresent(g -> sections.add(listeners(g)));
        worker.ifPresent(w -> sections.add(apps(w)));
        out.print(String.join("\n", sections));
        return 0;
    }

    private static String process(OperatorView view, Optional<OperatorView.Gateway> gateway,
            Optional<OperatorView.Worker> worker, Optional<OperatorView.Register> register) {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        OperatorView.Memory memory = view.memory();
        out.printf("GatewayWorker %s  pid %d  up %s  JDK %s  %d cores%n", view.version(), view.pid(),
                Text.duration(Duration.between(view.startedAt(), Instant.now())), memory.jdk(), memory.cores());
        out.print(Text.field("roles", view.roles()));
        if (gateway.isEmpty() || worker.isEmpty() || register.isEmpty()) {
            // Some roles run elsewhere: what this process is linked to.
            register.ifPresent(r -> out.print(Text.field("register", "lists " + listed(r.gateways(), "gateway")
                    + "; " + r.subscribers() + " subscriber(s)")));
            gateway.ifPresent(g -> out.print(Text.field("workers", linked(g.workers()))));
            worker.ifPresent(w -> out.print(Text.field("gateways", linked(w.gateways()))));
        }
        out.printf("memory   heap %s of %s, direct %s%n", Text.bytes(memory.heapUsed()), Text.bytes(memory.heapMax()),
                Text.bytes(Math.max(0, memory.directUsed())));
        gateway.ifPresent(g -> out.printf("clients  %s connected%n", Text.count(g.clientCount())));
        if (gateway.isPresent() || worker.isPresent()) {
            long stalls = gateway.map(OperatorView.Gateway::stalls).orElse(0L)
                    + worker.map(OperatorView.Worker::stalls).orElse(0L);
            out.printf("flow     stalls %s (missed wake-ups found by the flow watch; 0 is right)%n", Text.count(stalls));
        }
        gateway.ifPresent(g -> out.printf("         at most %s events waited for a worker at once (window %s)%n",
                Text.count(g.peakEventsWaiting()), Text.count(g.creditWindow())));
        out.flush();
        return text.toString();
    }

    private static String listed(List<String> items, String what) {
        return items.size() + " " + what + "(s)" + (items.isEmpty() ? "" : ": " + String.join(", ", items));
    }

    private static String linked(List<String> items) {
        return items.isEmpty() ? "none linked" : String.join(", ", items);
    }

    private static String listeners(OperatorView.Gateway gateway) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"LISTENER", "APP", "CLIENTS", "MSG IN/S", "MSG OUT/S", "IN/S", "OUT/S"});
        long msgIn = 0;
        long msgOut = 0;
        long bytesIn = 0;
        long bytesOut = 0;
        for (OperatorView.Listener l : gateway.listeners()) {
            OperatorView.Rate rate = l.rate();
            rows.add(new String[] {Text.fit(l.name(), 26), Text.fit(l.app(), 10), Text.count(l.clients()),
                Text.count(rate.messagesIn()), Text.count(rate.messagesOut()), Text.bytes(rate.bytesIn()),
                Text.bytes(rate.bytesOut())});
            msgIn += l.messagesIn();
            msgOut += l.messagesOut();
            bytesIn += l.bytesIn();
            bytesOut += l.bytesOut();
        }
        return Text.table(rows) + String.format("  since start: %s messages in, %s out; %s in, %s out%n",
                Text.count(msgIn), Text.count(msgOut), Text.bytes(bytesIn), Text.bytes(bytesOut));
    }

    private static String apps(OperatorView.Worker worker) {
        List<OperatorView.App> apps = worker.apps();
        if (apps.isEmpty()) {
            return "no app is running: put an app jar into " + worker.pluginsDir() + "\n";
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"APP", "VERSION", "STATE", "EVENTS", "ERRORS", "RELOADS"});
        for (OperatorView.App a : apps) {
            rows.add(new String[] {Text.fit(a.id(), 16), Text.fit(a.version(), 16), a.state(), Text.count(a.events()),
                Text.count(a.errors()), Text.count(a.reloads())});
        }
        return Text.table(rows);
    }
}
