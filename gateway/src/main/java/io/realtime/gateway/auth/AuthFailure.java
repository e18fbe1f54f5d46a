package io.realtime.gateway.auth;

/**
 * Why a token was not accepted, as the client sees it in {@code connect_error.data}.
 *
 * @param code   {@code unauthorized} or {@code token_expired}
 * @param reason a short human explanation
 */
public record AuthFailure(String code, String reason) {

    public static final String UNAUTHORIZED = "unauthorized";
    public static final String TOKEN_EXPIRED = "token_expired";

    public static AuthFailure unauthorized(String reason) {
        return new AuthFailure(UNAUTHORIZED, reason);
    }

    public static AuthFailure expired() {
        return new AuthFailure(TOKEN_EXPIRED, "token expired");
    }
}
