package io.gatewayworker.host.control.command;

import java.io.PrintWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** {@code plugins}: the worker's apps, and the jars it refused. */
final class PluginsCommand implements OperatorCommand {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    @Override
    public String name() {
        return "plugins";
    }

    @Override
    public List<String> aliases() {
        return List.of("apps");
    }

    @Override
    public String summary() {
        return "apps: version, state, loaded at, events, errors, reloads, leaks";
    }

    @Override
    public int execute(CommandContext context, Arguments args, PrintWriter out) {
        OperatorView.Worker worker = context.view().requireWorker();
        List<OperatorView.App> apps = worker.apps();
        if (apps.isEmpty()) {
            out.println("no app is running: put an app jar into " + worker.pluginsDir());
        } else {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"APP", "VERSION", "STATE", "LOADED", "EVENTS", "ERRORS", "RELOADS", "LEAKED"});
            for (OperatorView.App a : apps) {
                rows.add(new String[] {Text.fit(a.id(), 14), Text.fit(a.version(), 14), a.state(),
                    CLOCK.format(a.loadedAt()), Text.count(a.events()), Text.count(a.errors()), Text.count(a.reloads()),
                    a.leakedVersions().isEmpty() ? "-" : String.join(",", a.leakedVersions())});
            }
            out.print(Text.table(rows));
        }
        for (OperatorView.Refusal r : worker.refusals()) {
            out.println("refused " + r.jar() + ": " + r.reason());
        }
        return 0;
    }
}
