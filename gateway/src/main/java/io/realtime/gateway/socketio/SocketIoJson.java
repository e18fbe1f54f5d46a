package io.realtime.gateway.socketio;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;

/** The JSON mapper of the Socket.IO layer: strict about syntax, lenient about unknown properties. */
public final class SocketIoJson {

    /** Deeper payloads are refused; socket.io clients never need this much, and recursion must stay bounded. */
    public static final int MAX_NESTING_DEPTH = 64;

    private SocketIoJson() {
    }

    public static ObjectMapper newMapper() {
        // JavaScript's JSON.stringify writes a number it has no JSON for (Infinity, which 1e400 parses to, and NaN)
        // as null; Jackson would write the string "Infinity", which a client reads as a string.
        JsonFactory factory = JsonFactory.builder()
                .addDecorator((ignored, generator) -> new NonFiniteAsNull(generator))
                .build();
        JsonMapper mapper = JsonMapper.builder(factory)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        // A payload typed String gets a string, a number gets a number: no silent coercion between them.
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.getFactory().setStreamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build());
        return mapper;
    }

    /** Writes a double or float that is not finite as {@code null}, and everything else as the generator would. */
    private static final class NonFiniteAsNull extends JsonGeneratorDelegate {

        NonFiniteAsNull(JsonGenerator generator) {
            super(generator, false);
        }

        @Override
        public void writeNumber(double value) throws IOException {
            if (Double.isFinite(value)) {
                delegate.writeNumber(value);
            } else {
                delegate.writeNull();
            }
        }

        @Override
        public void writeNumber(float value) throws IOException {
            if (Float.isFinite(value)) {
                delegate.writeNumber(value);
            } else {
                delegate.writeNull();
            }
        }
    }
}
