package io.gatewayworker.host.control.command;

import java.io.PrintWriter;
import java.util.List;

/** {@code reload [APP]}: reloads one app, or every app, from its jar; fails when any reload was refused. */
final class ReloadCommand implements OperatorCommand {

    private static final List<Param> PARAMS = List.of(
            Param.positional("APP", "The app id (its Plugin-Id); default: every app.").optional()
                    .completing(Candidates.APPS));

    @Override
    public String name() {
        return "reload";
    }

    @Override
    public String summary() {
        return "reload one app, or every app, from its jar in plugins/";
    }

    @Override
    public List<Param> params() {
        return PARAMS;
    }

    @Override
    public int execute(CommandContext context, Arguments args, PrintWriter out) {
        List<OperatorView.Reload> outcomes = context.view().requireWorker().reload(args.get("APP"));
        if (outcomes.isEmpty()) {
            out.println("no app is running");
            return 1;
        }
        outcomes.forEach(o -> out.print(Text.wrap(o.message(), 79)));
        return outcomes.stream().allMatch(OperatorView.Reload::ok) ? 0 : 1;
    }
}
