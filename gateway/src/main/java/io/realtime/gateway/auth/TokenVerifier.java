package io.realtime.gateway.auth;

/** Checks a bearer token and says who it names. Implementations never block (no network I/O per call). */
public interface TokenVerifier {

    /** The principal the token names; throws {@link TokenRejectedException} when it is not acceptable. */
    Principal verify(String token);

    final class TokenRejectedException extends RuntimeException {
        private final AuthFailure failure;

        public TokenRejectedException(AuthFailure failure) {
            super(failure.code() + ": " + failure.reason(), null, false, false);
            this.failure = failure;
        }

        public AuthFailure failure() {
            return failure;
        }
    }
}
