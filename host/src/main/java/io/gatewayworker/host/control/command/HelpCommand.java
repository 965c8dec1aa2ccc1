package io.gatewayworker.host.control.command;

import java.io.PrintWriter;
import java.util.List;

/** {@code help [COMMAND]}: every command's usage and summary, or one command's grammar. */
final class HelpCommand implements OperatorCommand {

    private static final List<Param> PARAMS = List.of(
            Param.positional("COMMAND", "A command; default: every command.").optional()
                    .completing(Candidates.COMMANDS));

    @Override
    public String name() {
        return "help";
    }

    @Override
    public String summary() {
        return "these commands";
    }

    @Override
    public List<Param> params() {
        return PARAMS;
    }

    @Override
    public int execute(CommandContext context, Arguments args, PrintWriter out) {
        CommandGroup commands = context.commands();
        String name = args.get("COMMAND");
        if (name != null) {
            OperatorCommand c = commands.find(name).orElse(null);
            if (c == null) {
                out.println("no command '" + name + "'" + commands.suggestion(name));
                return 2;
            }
            describe(c, out);
            return 0;
        }
        int width = commands.commands().stream().mapToInt(c -> c.usage().length()).max().orElse(0);
        for (OperatorCommand c : commands.commands()) {
            String line = String.format("%-" + Math.min(width, 34) + "s  %s", c.usage(), c.summary());
            out.print(line.length() <= 79 ? line + "\n" : c.usage() + "\n" + Text.wrap("    " + c.summary(), 79));
        }
        return 0;
    }

    /** The usage, the summary, the details, each parameter, the aliases. */
    private static void describe(OperatorCommand c, PrintWriter out) {
        out.println(c.usage());
        out.println("  " + c.summary());
        c.details().forEach(paragraph -> out.print(Text.wrap("  " + paragraph, 79)));
        int width = c.params().stream().mapToInt(p -> word(p).length()).max().orElse(0);
        for (Param p : c.params()) {
            String line = String.format("  %-" + width + "s  %s", word(p), p.description())
                    + (p.defaultValue() == null ? "" : " (default " + p.defaultValue() + ")");
            out.print(Text.wrap(line, 79));
        }
        if (!c.aliases().isEmpty()) {
            out.println("  also: " + String.join(", ", c.aliases()));
        }
    }

    private static String word(Param p) {
        return p.kind() == Param.Kind.OPTION ? p.name() + " " + p.label() : p.name();
    }
}
