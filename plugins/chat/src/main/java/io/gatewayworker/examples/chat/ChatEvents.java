package io.gatewayworker.examples.chat;

import io.gatewayworker.api.AppContext;
import io.gatewayworker.api.Client;
import io.gatewayworker.api.Events;
import io.gatewayworker.api.Gateway;
import org.pf4j.Extension;

/** The chat room of GatewayWorker's introduction: everyone sees who comes, what they say, who leaves. */
@Extension
public class ChatEvents implements Events {

    private volatile Gateway gateway;

    @Override
    public void onWorkerStart(AppContext context) {
        gateway = context.gateway();
    }

    @Override
    public void onConnect(Client client) {
        gateway.sendToClient(client.id(), "Hello " + client.id());
        gateway.sendToAll(client.id() + " login");
    }

    @Override
    public void onMessage(Client client, String message) {
        gateway.sendToAll(client.id() + " said " + message);
    }

    @Override
    public void onClose(Client client) {
        gateway.sendToAll(client.id() + " logout");
    }
}
