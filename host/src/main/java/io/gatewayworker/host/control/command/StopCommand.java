package io.gatewayworker.host.control.command;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;

/** {@code stop [-g] [--timeout SECONDS]}: asks the process to stop, at once or after its clients left. */
final class StopCommand implements OperatorCommand {

    private static final List<Param> PARAMS = List.of(
            Param.flag("-g", "Graceful: stop accepting, let the clients leave first."),
            Param.option("--timeout", "SECONDS", "With -g, the longest wait for clients to leave.").withDefault("300")
                    .number(0));

    @Override
    public String name() {
        return "stop";
    }

    @Override
    public String summary() {
        return "stop (-g: stop accepting, let clients leave, then stop)";
    }

    @Override
    public List<String> details() {
        return List.of("Clients get a close frame (1001), apps get onClose and onWorkerStop. With -g it first stops"
                + " accepting and waits for the clients to leave (at most --timeout seconds).");
    }

    @Override
    public List<Param> params() {
        return PARAMS;
    }

    @Override
    public int execute(CommandContext context, Arguments args, PrintWriter out) {
        boolean graceful = args.flag("-g");
        Duration timeout = Duration.ofSeconds(args.number("--timeout"));
        OperatorView.Gateway gateway = context.view().gateway().orElse(null);
        if (!graceful) {
            out.println("stopping");
        } else if (gateway == null) {
            out.println("stopping (no clients to wait for: this process runs no gateway)");
        } else {
            out.println("stopping gracefully: no new clients; waiting up to " + timeout.toSeconds() + " s for "
                    + gateway.clientCount() + " client(s) to leave");
        }
        out.flush();
        context.requestStop(graceful, timeout);
        return 0;
    }
}
