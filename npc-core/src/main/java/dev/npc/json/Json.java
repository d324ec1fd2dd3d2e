package dev.npc.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON configuration for every document npc reads or writes. Readers ignore unknown
 * fields (docs/format.md: writers only add fields), times are ISO-8601 strings, and documents are
 * bounded so a hostile object in the bucket cannot exhaust memory.
 */
public final class Json {
    /** desired.json and state.json are small; anything past this is refused as hostile. */
    public static final int MAX_DOCUMENT_BYTES = 1 << 20;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS, false)
            .configure(SerializationFeature.INDENT_OUTPUT, true);

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64).maxStringLength(MAX_DOCUMENT_BYTES).build());
        MAPPER.getFactory().setCharacterEscapes(new TerminalSafeEscapes());
    }

    /**
     * JSON escapes C0 controls only; DEL, C1 controls and invisible format characters (bidi
     * overrides...) would reach a terminal raw through {@code npc status --json}. Written as
     * JSON escapes (backslash, u, four hex digits) they read back as the same text, so every document stays exact.
     */
    private static final class TerminalSafeEscapes extends com.fasterxml.jackson.core.io.CharacterEscapes {
        private final int[] ascii = standardAsciiEscapesForJSON();

        TerminalSafeEscapes() {
            ascii[0x7F] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public com.fasterxml.jackson.core.SerializableString getEscapeSequence(int ch) {
            return dev.npc.text.SafeText.unsafe(ch)
                    ? new com.fasterxml.jackson.core.io.SerializedString(String.format("\\u%04x", ch)) : null;
        }
    }

    private Json() { }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] write(Object value) {
        try {
            return (MAPPER.writeValueAsString(value) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String writeString(Object value) {
        return new String(write(value), StandardCharsets.UTF_8);
    }

    /**
     * Parses a document, turning every parse problem into one line that names the document.
     *
     * @param what what the document is, for the message, e.g. "hosts/web-1/desired.json"
     */
    public static <T> T read(byte[] bytes, Class<T> type, String what) throws InvalidDocumentException {
        if (bytes.length > MAX_DOCUMENT_BYTES) {
            throw new InvalidDocumentException(what + " is " + bytes.length + " bytes, over the limit of "
                    + MAX_DOCUMENT_BYTES + "; write a small JSON document");
        }
        try {
            T value = MAPPER.readValue(bytes, type);
            if (value == null) {
                throw new InvalidDocumentException(what + " is empty or null; write a JSON object");
            }
            return value;
        } catch (IOException e) {
            throw new InvalidDocumentException(what + " is not valid: " + firstLine(e.getMessage()));
        } catch (IllegalArgumentException e) {
            throw new InvalidDocumentException(what + " is not valid: " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
