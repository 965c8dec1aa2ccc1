package io.gatewayworker.host.control.command;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** {@code groups}: every group with members, per app, with the number of members. */
final class GroupsCommand implements OperatorCommand {

    @Override
    public String name() {
        return "groups";
    }

    @Override
    public String summary() {
        return "groups and their numbers of members, per app";
    }

    @Override
    public int execute(CommandContext context, Arguments args, PrintWriter out) {
        List<OperatorView.Group> groups = context.view().requireGateway().groups();
        if (groups.isEmpty()) {
            out.println("no group has members");
            return 0;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"APP", "GROUP", "MEMBERS"});
        for (OperatorView.Group g : groups) {
            rows.add(new String[] {Text.fit(g.app(), 16), Text.fit(g.group(), 40), Text.count(g.members())});
        }
        out.print(Text.table(rows));
        return 0;
    }
}
