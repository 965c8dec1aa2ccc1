package io.gatewayworker.host.control.command;

import java.io.PrintWriter;
import java.util.List;

/** {@code broadcast MESSAGE}: sends a text message to every client of the gateway, of every app. */
final class BroadcastCommand implements OperatorCommand {

    private static final List<Param> PARAMS = List.of(Param.rest("MESSAGE", "The text, the rest of the line."));

    @Override
    public String name() {
        return "broadcast";
    }

    @Override
    public String summary() {
        return "send a text message to every client";
    }

    @Override
    public List<Param> params() {
        return PARAMS;
    }

    @Override
    public int execute(CommandContext context, Arguments args, PrintWriter out) {
        out.println("sent to " + context.view().requireGateway().broadcast(args.get("MESSAGE")) + " client(s)");
        return 0;
    }
}
