package io.realtime.gateway.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS on the Socket.IO port: PEM certificate and key, or a PKCS#12 keystore; none when all are empty.
 *
 * @param keystorePassword the keystore's password (a secret: never printed)
 */
public record TlsSettings(Optional<Path> certFile, Optional<Path> keyFile, Optional<Path> keystore, String keystorePassword) {

    public static final TlsSettings NONE = new TlsSettings(Optional.empty(), Optional.empty(), Optional.empty(), "");

    public boolean enabled() {
        return certFile.isPresent() || keystore.isPresent();
    }
}
