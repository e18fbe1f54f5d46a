package io.realtime.gateway.testing;

import com.corundumstudio.socketio.annotation.OnEvent;
import io.realtime.gateway.api.Gateway;

/** A gateway whose class is not public, in a package other than the registrar's, as an application's often is. */
public final class PackagePrivateGateways {

    private PackagePrivateGateways() {
    }

    public static Object hidden() {
        return new Hidden();
    }
}

@Gateway(namespace = "/hidden")
final class Hidden {
    @OnEvent("shout")
    public String shout(String text) {
        return text.toUpperCase(java.util.Locale.ROOT);
    }
}
