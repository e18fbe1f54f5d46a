package io.realtime.gateway.server;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.realtime.gateway.config.TlsSettings;

import javax.net.ssl.KeyManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

/** The TLS context of the Socket.IO port, from PEM files or a PKCS#12 keystore. */
public final class TlsContexts {

    private TlsContexts() {
    }

    public static SslContext of(TlsSettings settings) {
        try {
            if (settings.certFile().isPresent()) {
                return SslContextBuilder.forServer(settings.certFile().get().toFile(), settings.keyFile().orElseThrow().toFile()).build();
            }
            char[] password = settings.keystorePassword().toCharArray();
            KeyStore keystore = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(settings.keystore().orElseThrow())) {
                keystore.load(in, password);
            }
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keystore, password);
            return SslContextBuilder.forServer(keys).build();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("TLS cannot be set up: " + e.getMessage(), e);
        }
    }
}
