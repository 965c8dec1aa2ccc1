package io.gatewayworker.host.control.command;

import java.io.PrintWriter;
import java.util.List;

/** {@code send CLIENT MESSAGE}: sends a text message to one client. */
final class SendCommand implements OperatorCommand {

    private static final List<Param> PARAMS = List.of(
            Param.positional("CLIENT", "The client id.").completing(Candidates.CLIENT_IDS),
            Param.rest("MESSAGE", "The text, the rest of the line."));

    @Override
    public String name() {
        return "send";
    }

    @Override
    public String summary() {
        return "send a text message to one client";
    }

    @Override
    public List<Param> params() {
        return PARAMS;
    }

    @Override
    public int execute(CommandContext context, Arguments args, PrintWriter out) {
        String client = args.get("CLIENT");
        if (!context.view().requireGateway().send(client, args.get("MESSAGE"))) {
            out.println("no client " + client + " on this gateway");
            return 1;
        }
        out.println("sent to " + client);
        return 0;
    }
}
