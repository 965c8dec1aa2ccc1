package io.gatewayworker.host.cli;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether the process talks to a person: standard input and output both a terminal. */
final class Terminals {

    private Terminals() {
    }

    static boolean interactive() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            // JDK 22+ returns a console also when redirected; isTerminal() tells.
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 21: a console exists only for a terminal
        }
    }
}
