package io.gatewayworker.host.control.command;

import java.io.PrintWriter;

/** {@code config}: the effective configuration of the process. */
final class ConfigCommand implements OperatorCommand {

    @Override
    public String name() {
        return "config";
    }

    @Override
    public String summary() {
        return "the effective configuration";
    }

    @Override
    public int execute(CommandContext context, Arguments args, PrintWriter out) {
        out.print(context.view().config());
        return 0;
    }
}
