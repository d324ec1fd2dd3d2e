package dev.npc.store;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.ByteArrayInputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One page of an S3 list-objects-v2 answer ({@code ListBucketResult}), read with the JDK's StAX
 * parser: no DTD, no entities of its own, no DOM. The answer is hostile: the caller bounds the
 * page's bytes, this class every value (a key, an ETag, a token) and the number of entries, and
 * anything that is not such a page is an {@link IllegalArgumentException}: the caller then asks
 * the S3 client, which reports what is wrong.
 */
final class ListingXml {
    /** S3 keys are at most 1,024 bytes; URL-encoded, three characters a byte. */
    static final int MAX_KEY_CHARS = 3 * 1024;
    private static final int MAX_VALUE_CHARS = 4 * 1024;
    private static final XMLInputFactory FACTORY = factory();

    /** An object as listed: its full key (decoded), ETag as sent, size, time (null when absent). */
    record Entry(String key, String etag, long size, Instant lastModified) { }

    /** @param nextToken where the next page starts, null when {@code truncated} is false */
    record Page(List<Entry> entries, boolean truncated, String nextToken) { }

    private ListingXml() { }

    private static XMLInputFactory factory() {
        // The JDK's own parser, whatever else is on the class path.
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        return factory;
    }

    /** @param maxKeys the page size asked for: a page with more entries is not an answer to it */
    static Page parse(byte[] body, int maxKeys) {
        XMLStreamReader xml = null;
        try {
            xml = FACTORY.createXMLStreamReader(new ByteArrayInputStream(body));
            xml.nextTag();
            if (!xml.getLocalName().equals("ListBucketResult")) {
                throw new IllegalArgumentException("not a listing: <" + xml.getLocalName() + ">");
            }
            List<Entry> entries = new ArrayList<>();
            Boolean truncated = null;
            String token = null;
            boolean urlEncoded = false;
            while (xml.nextTag() == XMLStreamConstants.START_ELEMENT) {
                switch (xml.getLocalName()) {
                    case "Contents" -> {
                        if (entries.size() == maxKeys) {
                            throw new IllegalArgumentException("more than " + maxKeys + " entries in a page");
                        }
                        entries.add(contents(xml));
                    }
                    case "IsTruncated" -> truncated = bool(text(xml, 8));
                    case "NextContinuationToken" -> token = text(xml, MAX_VALUE_CHARS);
                    case "EncodingType" -> urlEncoded = text(xml, 16).equals("url");
                    default -> skip(xml);
                }
            }
            if (truncated == null || truncated && (token == null || token.isEmpty())) {
                throw new IllegalArgumentException("a page that does not say whether, or where, the listing goes on");
            }
            if (urlEncoded) {
                List<Entry> decoded = new ArrayList<>(entries.size());
                for (Entry entry : entries) {
                    // As the SDK decodes them: percent escapes, '+' for a space.
                    decoded.add(new Entry(URLDecoder.decode(entry.key(), StandardCharsets.UTF_8), entry.etag(),
                            entry.size(), entry.lastModified()));
                }
                entries = decoded;
            }
            return new Page(List.copyOf(entries), truncated, truncated ? token : null);
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException("not XML: " + e.getMessage(), e);
        } finally {
            if (xml != null) {
                try {
                    xml.close();
                } catch (XMLStreamException ignored) {
                    // a parser over bytes in memory holds nothing to release
                }
            }
        }
    }

    private static Entry contents(XMLStreamReader xml) throws XMLStreamException {
        String key = null;
        String etag = null;
        long size = -1;
        Instant lastModified = null;
        while (xml.nextTag() == XMLStreamConstants.START_ELEMENT) {
            switch (xml.getLocalName()) {
                case "Key" -> key = text(xml, MAX_KEY_CHARS);
                case "ETag" -> etag = text(xml, MAX_VALUE_CHARS);
                case "Size" -> size = Long.parseLong(text(xml, 20));
                case "LastModified" -> lastModified = instant(text(xml, 64));
                default -> skip(xml);
            }
        }
        if (key == null || key.isEmpty() || size < -1) {
            throw new IllegalArgumentException("an entry without a key");
        }
        return new Entry(key, etag, size, lastModified);
    }

    private static String text(XMLStreamReader xml, int maxChars) throws XMLStreamException {
        String text = xml.getElementText();
        if (text.length() > maxChars) {
            throw new IllegalArgumentException("<" + xml.getLocalName() + "> of " + text.length() + " characters");
        }
        return text;
    }

    /**
     * S3's own form, {@code 2026-12-03T12:27:22.000Z}, read directly: a listing has a time per
     * object, and the general ISO parser was a tenth of a warm fleet read. Any other form goes to it.
     */
    static Instant instant(String text) {
        int length = text.length();
        if ((length == 20 || length == 24) && text.charAt(4) == '-' && text.charAt(7) == '-' && text.charAt(10) == 'T'
                && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(length - 1) == 'Z'
                && (length == 20 || text.charAt(19) == '.')) {
            int year = digits(text, 0, 4);
            int month = digits(text, 5, 7);
            int day = digits(text, 8, 10);
            int hour = digits(text, 11, 13);
            int minute = digits(text, 14, 16);
            int second = digits(text, 17, 19);
            int millis = length == 24 ? digits(text, 20, 23) : 0;
            if (year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 28 + 3 && hour >= 0 && hour <= 23
                    && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && millis >= 0) {
                try {
                    return Instant.ofEpochSecond(java.time.LocalDate.of(year, month, day).toEpochDay() * 86_400
                            + hour * 3_600L + minute * 60L + second, millis * 1_000_000L);
                } catch (java.time.DateTimeException e) {
                    // e.g. 31 April: as the general parser says
                }
            }
        }
        return Instant.parse(text);
    }

    /** The decimal number in {@code text} from {@code from} to {@code to}, or -1 when not all digits. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean bool(String text) {
        if (!text.equals("true") && !text.equals("false")) {
            throw new IllegalArgumentException("IsTruncated is " + text);
        }
        return text.equals("true");
    }

    /** Past an element this reader does not use, however deep (the page's size bounds it). */
    private static void skip(XMLStreamReader xml) throws XMLStreamException {
        for (int depth = 1; depth > 0; ) {
            int event = xml.next();
            if (event == XMLStreamConstants.START_ELEMENT) {
                depth++;
            } else if (event == XMLStreamConstants.END_ELEMENT) {
                depth--;
            }
        }
    }
}
