package test.echo;

import io.gatewayworker.api.AppContext;
import io.gatewayworker.api.Client;
import io.gatewayworker.api.Events;
import io.gatewayworker.api.Gateway;
import org.pf4j.Extension;

/** Echoes every message to its sender, tagged with the version of the app that handled it: "VERSION:message". */
@Extension
public class EchoEvents implements Events {

    private volatile Gateway gateway;
    private volatile String version;

    @Override
    public void onWorkerStart(AppContext context) {
        gateway = context.gateway();
        version = context.version();
    }

    @Override
    public void onMessage(Client client, String message) {
        gateway.sendToClient(client.id(), version + ":" + message);
    }
}
