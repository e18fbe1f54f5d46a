package io.realtime.gateway.auth;

import java.util.Optional;
import java.util.Set;

/**
 * Which namespaces anonymous clients may join under {@code AUTH_MODE=jwt}, and why: none unless the operator
 * names them ({@code AUTH_PUBLIC_NAMESPACES}) or a gateway declares itself public. The deprecated
 * {@code AUTH_REQUIRED_NAMESPACES}, when set, keeps its old meaning (what it names needs a token, the rest is public)
 * so that an existing configuration is not silently changed; configuration refuses both settings together.
 */
public final class NamespaceAccess {

    private final Set<String> publicNamespaces;
    private final Optional<Set<String>> legacyRequired;

    public NamespaceAccess(Set<String> publicNamespaces, Optional<Set<String>> legacyRequired) {
        this.publicNamespaces = Set.copyOf(publicNamespaces);
        this.legacyRequired = legacyRequired.map(Set::copyOf);
    }

    /**
     * @param declaredPublicBy the gateway class that declares the namespace public, if one does
     * @return why anonymous clients may join the namespace; empty: a valid token is required
     */
    public Optional<String> whyPublic(String namespace, Optional<String> declaredPublicBy) {
        if (legacyRequired.isPresent()) {
            Set<String> required = legacyRequired.get();
            return required.contains("*") || required.contains(namespace) ? Optional.empty()
                    : Optional.of("not named in AUTH_REQUIRED_NAMESPACES (deprecated; name public ones in AUTH_PUBLIC_NAMESPACES)");
        }
        if (publicNamespaces.contains(namespace)) {
            return Optional.of("named in AUTH_PUBLIC_NAMESPACES");
        }
        return declaredPublicBy.map(gateway -> "declared public by " + gateway);
    }
}
