package io.gatewayworker.host.control.command;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code connections}: one row per client of the gateway, filtered by uid, group or app. */
final class ConnectionsCommand implements OperatorCommand {

    private static final List<Param> PARAMS = List.of(
            Param.option("--uid", "UID", "Only the clients bound to this uid."),
            Param.option("--group", "GROUP", "Only the members of this group.").completing(Candidates.GROUPS),
            Param.option("--app", "APP", "Only the clients of this app.").completing(Candidates.APPS),
            Param.option("--limit", "N", "At most N rows.").withDefault("100").number(1));

    @Override
    public String name() {
        return "connections";
    }

    @Override
    public List<String> aliases() {
        return List.of("clients");
    }

    @Override
    public String summary() {
        return "one row per client: id, address, listener, uid, groups, session, bytes, idle";
    }

    @Override
    public List<String> details() {
        return List.of("Each row: client id, remote address, listener and protocol, uid, groups, session size, bytes"
                + " in and out, idle time.");
    }

    @Override
    public List<Param> params() {
        return PARAMS;
    }

    @Override
    public int execute(CommandContext context, Arguments args, PrintWriter out) {
        OperatorView.Gateway gateway = context.view().requireGateway();
        OperatorView.ClientFilter filter = new OperatorView.ClientFilter(args.get("--uid"), args.get("--group"),
                args.get("--app"));
        long limit = args.number("--limit");
        List<OperatorView.Client> rows = gateway.clients(filter);
        if (rows.isEmpty()) {
            out.println(filter.equals(OperatorView.ClientFilter.ANY) || gateway.clientCount() == 0
                    ? "no client is connected" : "no client matches");
            return 0;
        }
        List<String[]> table = new ArrayList<>();
        table.add(new String[] {"CLIENT ID", "REMOTE", "LISTEN", "UID", "GROUPS", "SESS", "IN/OUT", "IDLE"});
        for (OperatorView.Client r : rows.subList(0, (int) Math.min(limit, rows.size()))) {
            String groups = r.groups().isEmpty() ? "-" : r.groups().size() == 1 ? r.groups().get(0)
                    : Text.fit(r.groups().get(0), 5) + "+" + (r.groups().size() - 1);
            String port = r.listener().substring(r.listener().lastIndexOf(':') + 1);
            String listen = (r.protocol().equals("websocket") ? "ws" : r.protocol()) + port;
            table.add(new String[] {r.id(), Text.fit(r.remote(), 15), Text.fit(listen, 6), Text.fit(r.uid(), 7),
                Text.fit(groups, 7), Text.bytes(r.sessionBytes()), Text.bytes(r.bytesIn()) + "/" + Text.bytes(r.bytesOut()),
                Text.duration(Duration.ofMillis(r.idleMillis()))});
        }
        out.print(Text.table(table));
        if (rows.size() > limit) {
            out.printf("... %d more (--limit N shows more)%n", rows.size() - limit);
        }
        out.printf("%d client(s)%n", rows.size());
        return 0;
    }
}
