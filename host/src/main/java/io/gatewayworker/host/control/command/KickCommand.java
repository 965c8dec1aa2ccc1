package io.gatewayworker.host.control.command;

import java.io.PrintWriter;
import java.util.List;

/** {@code kick CLIENT [REASON]}: closes a client's connection with 1000. */
final class KickCommand implements OperatorCommand {

    private static final List<Param> PARAMS = List.of(
            Param.positional("CLIENT", "The client id.").completing(Candidates.CLIENT_IDS),
            Param.rest("REASON", "The close reason the client gets; default: kicked.").optional());

    @Override
    public String name() {
        return "kick";
    }

    @Override
    public String summary() {
        return "close a client's connection (1000)";
    }

    @Override
    public List<Param> params() {
        return PARAMS;
    }

    @Override
    public int execute(CommandContext context, Arguments args, PrintWriter out) {
        String client = args.get("CLIENT");
        String reason = args.get("REASON");
        if (!context.view().requireGateway().kick(client, reason == null ? "kicked" : reason)) {
            out.println("no client " + client + " on this gateway");
            return 1;
        }
        out.println("closing " + client);
        return 0;
    }
}
