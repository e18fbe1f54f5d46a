package io.realtime.gateway.backend;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.List;

/** Body of {@code POST /api/v1/emit}: a generic broadcast. */
public record EmitRequest(
        @NotNull @Pattern(regexp = "/\\S{0,127}", message = "must start with '/'") String namespace,
        @Size(max = 100) List<@NotNull @Size(min = 1, max = 128) String> rooms,
        @Size(max = 100) List<@NotNull @Size(min = 1, max = 128) String> except,
        @NotNull @Size(min = 1, max = 128) String event,
        JsonNode data) {

    public List<String> roomsOrEmpty() {
        return rooms == null ? List.of() : rooms;
    }

    public List<String> exceptOrEmpty() {
        return except == null ? List.of() : except;
    }
}
