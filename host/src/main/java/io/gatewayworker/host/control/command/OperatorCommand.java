package io.gatewayworker.host.control.command;

import java.io.PrintWriter;
import java.util.List;

/**
 * One operator command, written once: its name, aliases, summary, grammar and what it does. The
 * interactive shell (execution and Tab completion), the control endpoint and the command line
 * ({@code bin/gatewayworker}) all take the command from here:
 *
 * <ul>
 *   <li>the {@link CommandDispatcher} runs a typed or received line: it finds the command by name or
 *       alias, reads the rest of the line with {@link Arguments#parse} against {@link #params()}, and
 *       calls {@link #execute};</li>
 *   <li>Tab completion offers the command names, then each parameter's {@link Param#candidates()} from
 *       live data, then the options not given yet;</li>
 *   <li>the command line makes one subcommand per command, its options and positionals generated from
 *       {@link #params()}, and sends {@code name} and the {@link Arguments#line() arguments} to the
 *       running instance.</li>
 * </ul>
 *
 * <p>A command works against the {@link OperatorView} of its {@link CommandContext}, never against the
 * roles. When it needs a role that the view cannot answer for it lets the view's
 * {@link OperatorView.RoleMissingException} through: the dispatcher prints its one line, exit status 1.
 *
 * <p>Implementations are stateless and thread-safe: commands run on the shell's thread or on the control
 * endpoint's platform threads, several at once, and may block there (never on a network thread).
 */
public interface OperatorCommand {

    /** The name typed to run it: one lowercase word. Never null. */
    String name();

    /** Other names that run it; empty by default. Never null. */
    default List<String> aliases() {
        return List.of();
    }

    /** One line, lowercase, no final period: what {@code help} lists beside the usage. */
    String summary();

    /**
     * More for {@code help COMMAND} and {@code --help}: paragraphs of whole sentences, without line
     * breaks (each front end wraps them to its width); empty by default.
     */
    default List<String> details() {
        return List.of();
    }

    /** The grammar, options and positionals in order; empty by default (no arguments). */
    default List<Param> params() {
        return List.of();
    }

    /** "kick CLIENT [REASON]": made from {@link #name()} and {@link #params()}. */
    default String usage() {
        return Param.usage(name(), params());
    }

    /**
     * Does the command and writes its answer, for an 80-column terminal.
     *
     * @param context the view, the other commands, the stop request
     * @param args the line after the name, already read against {@link #params()}
     * @param out where the answer goes; flushed by the caller
     * @return the exit status: 0 done, 1 failed, 2 bad usage
     * @throws UsageException when the arguments fit the grammar but not together (exit 2)
     * @throws Exception anything else that went wrong: the dispatcher prints "NAME failed: message" (exit 1)
     */
    int execute(CommandContext context, Arguments args, PrintWriter out) throws Exception;
}
