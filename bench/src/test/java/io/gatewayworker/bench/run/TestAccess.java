package io.gatewayworker.bench.run;

import java.util.Map;

/** Gives tests of other packages the runner's parsing of load-process answers. */
public final class TestAccess {

    private TestAccess() {
    }

    public static Map<String, String> fields(String text) {
        return LoadProcess.fields(text);
    }
}
