package io.gatewayworker.host.control;

import io.gatewayworker.host.Host;
import io.gatewayworker.host.control.command.CommandDispatcher;
import io.gatewayworker.host.control.command.CommandGroup;
import io.gatewayworker.host.control.command.OperatorView;
import io.gatewayworker.host.control.command.StopRequest;
import java.io.PrintWriter;

/**
 * The operator's commands of one running process, as the interactive shell and the control endpoint
 * serve them: the {@link CommandGroup#standard() standard commands} dispatched against an
 * {@link OperatorView} (by default the view of the host's own roles).
 *
 * <p>Thread-safe: lines run on the caller's thread, several at once. {@link #close()} ends what the
 * view it made runs (the rates' sampler thread).
 */
public final class AdminCommands implements AutoCloseable {

    private final CommandDispatcher dispatcher;
    private final LocalOperatorView owned;

    /** The commands against the roles {@code host} runs; {@code stopper} carries out {@code stop}. */
    public AdminCommands(Host host, StopRequest stopper) {
        LocalOperatorView view = new LocalOperatorView(host);
        this.dispatcher = new CommandDispatcher(CommandGroup.standard(), view, stopper);
        this.owned = view;
    }

    /** The commands against {@code view} (a view of more than this process, say); the caller closes it. */
    public AdminCommands(OperatorView view, StopRequest stopper) {
        this.dispatcher = new CommandDispatcher(CommandGroup.standard(), view, stopper);
        this.owned = null;
    }

    /** Runs and completes command lines. */
    public CommandDispatcher dispatcher() {
        return dispatcher;
    }

    /**
     * Runs one command line, writing its answer.
     *
     * @return the exit status: 0 done, 1 failed, 2 bad usage
     */
    public int execute(String line, PrintWriter out) {
        return dispatcher.execute(line, out);
    }

    @Override
    public void close() {
        if (owned != null) {
            owned.close();
        }
    }
}
